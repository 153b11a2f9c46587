"""Fixtures of the web tests that need content of their own rather than the shipped courses."""

import pytest

from tests.unit.test_loader import COURSE, GLOSSARY, lesson, quiz, write_tree


@pytest.fixture()
def content_app(app_on_content, tmp_path):
    """An app on an empty database (SQLite and PostgreSQL) whose content root is a small tree in
    tmp_path: course `demo` with a glossary and two lessons, each with a one-question quiz."""
    return app_on_content(write_tree(tmp_path / "content", {
        "lessons/demo/course.md": COURSE, "lessons/demo/glossary.md": GLOSSARY,
        "lessons/demo/01-a.md": lesson(1, "demo-l1-q01", "[[retentie]]"), "quizzes/demo/01-a.md": quiz(1),
        "lessons/demo/02-b.md": lesson(2, "demo-l2-q01"), "quizzes/demo/02-b.md": quiz(2)}))
