"""`flask content check`: item-writing warnings are listed with path:line and fail only with
--strict; a question waives a rule with a reason in its own file."""

from __future__ import annotations

import shutil

import pytest

from ..support import ROOT

QUIZ = "quizzes/nl-klantrelaties/01-relatiemarketing.md"
# a distractor that reads "all of the above" in Dutch: the checker's rule all-of-the-above
CUE = "- [ ] Alle bovenstaande antwoorden\n  > Niet juist.\n"


@pytest.fixture()
def tree(tmp_path):
    for folder in ("lessons", "quizzes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def add_after_first_option_block(path, text: str) -> int:
    """Insert `text` after the options of the first question; return the 1-based line it starts on."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("## "))
    second = next(i for i, line in enumerate(lines) if line.startswith("## ") and i > first)
    insert_at = second
    while not lines[insert_at - 1].strip():
        insert_at -= 1
    lines[insert_at:insert_at] = [text]
    path.write_text("".join(lines), encoding="utf-8")
    return insert_at + 1


def question_heading_line(path) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if line.startswith("## "))


def test_shipped_content_passes_strict(sqlite_app):
    result = sqlite_app.test_cli_runner().invoke(args=["content", "check", "--strict", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_a_warning_is_listed_with_its_line_and_fails_only_with_strict(sqlite_app, tree):
    quiz = tree / QUIZ
    option_line = add_after_first_option_block(quiz, CUE)
    runner = sqlite_app.test_cli_runner()
    relaxed = runner.invoke(args=["content", "check", str(tree)])
    assert relaxed.exit_code == 0, relaxed.output
    assert f"{QUIZ}:{option_line}: warning:" in relaxed.output and "[all-of-the-above]" in relaxed.output
    strict = runner.invoke(args=["content", "check", "--strict", str(tree)])
    assert strict.exit_code == 1
    assert f"{QUIZ}:{option_line}: error:" in strict.output


def test_a_waiver_with_a_reason_silences_that_rule_for_that_question(sqlite_app, tree):
    quiz = tree / QUIZ
    add_after_first_option_block(quiz, CUE)
    text = quiz.read_text(encoding="utf-8")
    heading = question_heading_line(quiz)
    lines = text.splitlines(keepends=True)
    lines.insert(heading, "waive: all-of-the-above — test of the waiver\n")
    quiz.write_text("".join(lines), encoding="utf-8")
    result = sqlite_app.test_cli_runner().invoke(args=["content", "check", "--strict", str(tree)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("waiver", ["waive: all-of-the-above", "waive: no-such-rule — because",
                                    "waive: key-longest — "])
def test_a_waiver_without_a_reason_or_with_an_unknown_rule_is_a_problem_at_its_line(sqlite_app, tree, waiver):
    quiz = tree / QUIZ
    heading = question_heading_line(quiz)
    lines = quiz.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(heading, waiver + "\n")
    quiz.write_text("".join(lines), encoding="utf-8")
    result = sqlite_app.test_cli_runner().invoke(args=["content", "check", str(tree)])
    assert result.exit_code == 1
    assert f"{QUIZ}:{heading + 1}:" in result.output
