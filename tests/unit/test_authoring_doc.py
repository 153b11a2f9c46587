"""The complete example in docs/authoring.md is itself valid content."""

import re

from app.content.lessons import expand_screens
from app.content.loader import load_content

from ..support import ROOT
from .test_loader import write_tree


def test_the_documented_example_loads_without_problems(tmp_path):
    blocks = re.findall(r"```markdown\n(.*?)```", (ROOT / "docs/authoring.md").read_text(encoding="utf-8"), re.S)
    course, lesson, quiz, glossary = blocks
    content = load_content(write_tree(tmp_path, {
        "lessons/nl-klantrelaties/course.md": course, "lessons/nl-klantrelaties/glossary.md": glossary,
        "lessons/nl-klantrelaties/01-demo.md": lesson, "quizzes/nl-klantrelaties/01-demo.md": quiz}))
    assert [str(p) for p in content.problems] == []
    assert list(content.lessons) == ["nl-demo"]
    assert [s.kind for s in expand_screens(content.lessons["nl-demo"])] == ["content", "content", "question", "question", "content"]
    assert [q.type for q in content.quizzes["nl-demo"].questions] == ["single", "multiple", "truefalse"]
