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
