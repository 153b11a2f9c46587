"""Cross-file checks: one broken file is reported and skipped, the rest still loads."""

from pathlib import Path

from app.content.loader import load_content

COURSE = "---\nid: demo\ntitle: Demo\nlanguage: nl\n---\n"
GLOSSARY = "---\ncourse: demo\n---\n\nretentie\n: Klanten behouden.\n: en: retention\n"


def lesson(n: int, checkpoint: str = "", link: str = "") -> str:
    return (f"---\nid: demo-l{n}\ncourse: demo\ntitle: Les {n}\nlanguage: nl\nminutes: 5\n"
            f"goals:\n  - id: demo-l{n}-g1\n    text: Doel.\n---\n\n# Les {n}\n\nTekst {link}\n"
            + (f"\n---\n\nCheckpoint: {checkpoint}\n" if checkpoint else ""))


def quiz(n: int, goal: str | None = None) -> str:
    goal = goal or f"demo-l{n}-g1"
    return (f"---\nlesson: demo-l{n}\nfinal: [demo-l{n}-q01]\n---\n\n## demo-l{n}-q01\ntype: truefalse\n"
            f"goals: {goal}\n\nKlopt dit?\n\n- [x] Waar\n  > Juist.\n- [ ] Niet waar\n  > Nee.\n")


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_consistent_tree_loads_everything(tmp_path):
    content = load_content(write_tree(tmp_path, {
        "lessons/demo/course.md": COURSE, "lessons/demo/glossary.md": GLOSSARY,
        "lessons/demo/01-a.md": lesson(1, "demo-l1-q01", "[[retentie]]"), "quizzes/demo/01-a.md": quiz(1)}))
    assert content.problems == []
    assert list(content.lessons) == ["demo-l1"] and list(content.quizzes) == ["demo-l1"]
    assert content.glossaries["demo"].entries[0].english == "retention"


def test_one_broken_lesson_is_skipped_and_the_others_still_load(tmp_path):
    content = load_content(write_tree(tmp_path, {
        "lessons/demo/course.md": COURSE,
        "lessons/demo/01-a.md": lesson(1, "demo-l1-q01"), "quizzes/demo/01-a.md": quiz(1, goal="demo-l1-g7"),
        "lessons/demo/02-b.md": lesson(2, "demo-l2-q01"), "quizzes/demo/02-b.md": quiz(2)}))
    assert list(content.lessons) == ["demo-l2"]
    assert [str(p) for p in content.problems] == [
        "quizzes/demo/01-a.md:8: demo-l1-q01: unknown goal id 'demo-l1-g7' (goals of demo-l1: demo-l1-g1)"]


def test_a_checkpoint_naming_an_unknown_question_is_reported_in_the_lesson(tmp_path):
    content = load_content(write_tree(tmp_path, {
        "lessons/demo/course.md": COURSE,
        "lessons/demo/01-a.md": lesson(1, "demo-l1-q05"), "quizzes/demo/01-a.md": quiz(1)}))
    assert [str(p) for p in content.problems] == [
        "lessons/demo/01-a.md:18: checkpoint names unknown question 'demo-l1-q05' in quizzes/demo/01-a.md"]
    assert content.lessons == {}


def test_unknown_course_glossary_term_and_quiz_lesson_are_reported(tmp_path):
    content = load_content(write_tree(tmp_path, {
        "lessons/demo/course.md": COURSE, "lessons/demo/glossary.md": GLOSSARY,
        "lessons/demo/01-a.md": lesson(1, link="[[loyaliteit]]").replace("course: demo", "course: nope"),
        "quizzes/demo/09-z.md": quiz(9)}))
    messages = sorted(str(p) for p in content.problems)
    assert "lessons/demo/01-a.md:3: unknown course 'nope' (no course.md with this id)" in messages
    assert "lessons/demo/01-a.md:14: glossary link to unknown term 'loyaliteit'" in messages
    assert "quizzes/demo/09-z.md:2: unknown lesson 'demo-l9'" in messages


def test_duplicate_ids_across_files_are_reported(tmp_path):
    content = load_content(write_tree(tmp_path, {
        "lessons/demo/course.md": COURSE,
        "lessons/demo/01-a.md": lesson(1), "lessons/demo/02-b.md": lesson(1)}))
    assert len(content.lessons) == 1
    assert any("duplicate lesson id 'demo-l1'" in str(p) for p in content.problems)


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    root = write_tree(tmp_path, {"lessons/demo/course.md": COURSE})
    (root / "lessons/demo/01-a.md").write_bytes(b"---\nid: \xff\xfe\n")
    content = load_content(root)
    assert [str(p) for p in content.problems] == ["lessons/demo/01-a.md:1: file is not UTF-8 text"]


# --- reading the tree safely (read_tree) and parsing texts without the disk (load_sources) ---

import os  # noqa: E402

import pytest  # noqa: E402

from app.content.loader import MAX_FILE_BYTES, load_sources, read_tree  # noqa: E402

GOOD_TREE = {"lessons/demo/course.md": COURSE, "lessons/demo/01-a.md": lesson(1, "demo-l1-q01"),
             "quizzes/demo/01-a.md": quiz(1)}


def test_read_tree_returns_relative_posix_paths_and_texts(tmp_path):
    files, problems = read_tree(write_tree(tmp_path, GOOD_TREE))
    assert problems == []
    assert files == GOOD_TREE


def test_load_sources_parses_texts_that_never_were_files():
    content = load_sources(GOOD_TREE)
    assert content.problems == []
    assert list(content.lessons) == ["demo-l1"] and content.lesson_paths == {"lessons/demo/01-a.md"}


def test_load_sources_reports_a_path_outside_the_layout():
    content = load_sources({**GOOD_TREE, "lessons/01-a.md": lesson(2), "notes/demo/x.md": "x"})
    assert sorted(str(p) for p in content.problems) == [
        "lessons/01-a.md:1: unexpected file location (expected lessons/<course>/<file>.md or quizzes/<course>/<file>.md)",
        "notes/demo/x.md:1: unexpected file location (expected lessons/<course>/<file>.md or quizzes/<course>/<file>.md)"]
    assert list(content.lessons) == ["demo-l1"]


def test_a_folder_named_like_a_lesson_is_a_problem_and_the_rest_loads(tmp_path):
    root = write_tree(tmp_path, GOOD_TREE)
    (root / "lessons/demo/02-x.md").mkdir()
    content = load_content(root)
    assert [str(p) for p in content.problems] == ["lessons/demo/02-x.md:1: is a folder, not a file"]
    assert list(content.lessons) == ["demo-l1"]


def test_a_broken_symlink_is_a_problem_and_the_rest_loads(tmp_path):
    root = write_tree(tmp_path, GOOD_TREE)
    (root / "lessons/demo/02-x.md").symlink_to(root / "missing.md")
    content = load_content(root)
    assert [str(p) for p in content.problems] == [
        "lessons/demo/02-x.md:1: broken symbolic link (its target does not exist)"]
    assert list(content.lessons) == ["demo-l1"]


def test_a_symlink_to_dev_zero_is_refused_without_reading_it(tmp_path):
    root = write_tree(tmp_path, GOOD_TREE)
    (root / "lessons/demo/02-x.md").symlink_to("/dev/zero")
    content = load_content(root)
    assert [str(p) for p in content.problems] == [
        "lessons/demo/02-x.md:1: symbolic link to a file outside the content folder"]
    assert list(content.lessons) == ["demo-l1"]


def test_a_symlink_to_a_file_outside_the_tree_is_refused(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(lesson(2), encoding="utf-8")
    root = write_tree(tmp_path / "site", GOOD_TREE)
    (root / "lessons/demo/02-b.md").symlink_to(secret)
    files, problems = read_tree(root)
    assert "lessons/demo/02-b.md" not in files
    assert [str(p) for p in problems] == ["lessons/demo/02-b.md:1: symbolic link to a file outside the content folder"]


def test_a_course_folder_linked_from_outside_the_tree_is_refused(tmp_path):
    outside = write_tree(tmp_path / "elsewhere", {"other/course.md": COURSE})
    root = write_tree(tmp_path / "site", GOOD_TREE)
    (root / "lessons/other").symlink_to(outside / "other")
    files, problems = read_tree(root)
    assert set(files) == set(GOOD_TREE)
    assert [str(p) for p in problems] == ["lessons/other:1: symbolic link to a folder outside the content folder"]


def test_a_symlink_inside_the_tree_is_followed(tmp_path):
    root = write_tree(tmp_path, GOOD_TREE)
    (root / "quizzes/demo/01-a.md").unlink()
    (root / "quizzes/demo/01-a.md").symlink_to(root / "lessons/demo/course.md")
    files, problems = read_tree(root)
    assert problems == [] and files["quizzes/demo/01-a.md"] == COURSE


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    root = write_tree(tmp_path, GOOD_TREE)
    os.mkfifo(root / "lessons/demo/02-x.md")
    files, problems = read_tree(root)
    assert [str(p) for p in problems] == ["lessons/demo/02-x.md:1: is not a regular file (a device, pipe or socket)"]


def test_a_file_over_the_byte_cap_is_refused(tmp_path):
    root = write_tree(tmp_path, GOOD_TREE)
    (root / "lessons/demo/02-x.md").write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    (root / "lessons/demo/03-y.md").write_bytes(b"x" * MAX_FILE_BYTES)
    files, problems = read_tree(root)
    assert [str(p) for p in problems] == [f"lessons/demo/02-x.md:1: file is too large (over {MAX_FILE_BYTES} bytes)"]
    assert len(files["lessons/demo/03-y.md"]) == MAX_FILE_BYTES


def test_hidden_editor_files_are_ignored(tmp_path):
    root = write_tree(tmp_path, GOOD_TREE)
    (root / "lessons/demo/.#01-a.md").symlink_to("user@host.1234")  # an Emacs lock file
    (root / "lessons/demo/.01-a.md.swp").write_bytes(b"\xff\x00")
    files, problems = read_tree(root)
    assert problems == [] and set(files) == set(GOOD_TREE)


def test_a_missing_content_folder_is_one_problem(tmp_path):
    files, problems = read_tree(tmp_path / "nope")
    assert files == {} and [p.message for p in problems] == ["content folder not found"]


def test_a_parser_crash_is_a_problem_of_that_file_only(monkeypatch):
    from app.content import loader

    def explode(path, text):
        raise KeyError("bug")

    monkeypatch.setattr(loader, "parse_quiz", explode)
    content = load_sources({**GOOD_TREE, "lessons/demo/02-b.md": lesson(2)})
    assert [str(p) for p in content.problems] == [
        "quizzes/demo/01-a.md:1: file could not be read (KeyError); please report this",
        "lessons/demo/01-a.md:18: checkpoint names unknown question 'demo-l1-q01' (no quiz file has 'lesson: demo-l1')"]
    assert list(content.lessons) == ["demo-l2"] and list(content.courses) == ["demo"]


@pytest.mark.parametrize("name", ["course.md", "glossary.md", "01-a.md"])
def test_deeply_nested_front_matter_is_a_problem_not_a_crash(name):
    text = "---\nid: " + "[" * 5_000 + "]" * 5_000 + "\n---\n"
    content = load_sources({**GOOD_TREE, f"lessons/other/{name}": text})
    (problem,) = [p for p in content.problems if p.path == f"lessons/other/{name}"]
    assert problem.line >= 1 and "nest" in problem.message


def test_a_path_longer_than_the_database_allows_is_a_problem():
    long_name = "lessons/demo/" + "x" * 500 + ".md"
    content = load_sources({**GOOD_TREE, long_name: lesson(2)})
    assert [p.message for p in content.problems] == ["file path is longer than 500 characters"]
    assert list(content.lessons) == ["demo-l1"]
