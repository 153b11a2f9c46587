"""Plain, immutable data parsed from content files."""

from __future__ import annotations

from dataclasses import dataclass, field

QUESTION_TYPES = ("single", "multiple", "truefalse")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


MAX_PROBLEMS_PER_FILE = 50  # a hostile file must not flood the report


class ContentError(Exception):
    """One or more problems that make a file unusable."""

    def __init__(self, problems: list[Problem]):
        problems = list(problems)
        if len(problems) > MAX_PROBLEMS_PER_FILE:
            rest = len(problems) - MAX_PROBLEMS_PER_FILE
            problems = [*problems[:MAX_PROBLEMS_PER_FILE],
                        Problem(problems[0].path, problems[MAX_PROBLEMS_PER_FILE].line, f"... and {rest} more problems")]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    language: str
    description: str
    level: str
    path: str
    folder: str


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    english: str
    line: int


@dataclass(frozen=True)
class Glossary:
    course: str
    entries: tuple[GlossaryEntry, ...]
    path: str
    course_line: int = 2


@dataclass(frozen=True)
class Goal:
    id: str
    text: str
    line: int
    optional: bool = False  # `optional: true`: shown as optional, never blocks completing the lesson


@dataclass(frozen=True)
class GlossaryLink:
    term: str
    line: int


@dataclass(frozen=True)
class Slide:
    """One slide as written: a content slide or a checkpoint naming question ids."""

    kind: str  # "content" | "checkpoint"
    line: int
    title: str
    body: str
    notes: str
    question_ids: tuple[str, ...] = ()
    optional: bool = False  # a content slide with the line "<!-- optional -->"


@dataclass(frozen=True)
class Lesson:
    id: str
    course: str
    title: str
    language: str
    minutes: int
    goals: tuple[Goal, ...]
    slides: tuple[Slide, ...]
    glossary_links: tuple[GlossaryLink, ...]
    path: str
    folder: str
    stem: str  # file name without extension: pairs the lesson with its quiz file
    course_line: int = 1
    checkpoint_tries: int = 2  # `tries:` answers per checkpoint before its key is shown
    final_includes_optional: bool = False  # optional goals' questions may be drawn for the final quiz


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str
    line: int


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    goals: tuple[str, ...]
    stem: str
    options: tuple[Option, ...]
    source: str
    rationale: str
    line: int
    goals_line: int
    fixed_order: bool = False  # "order: fixed": options are never shuffled (scales, sequences)
    waivers: tuple[tuple[str, str], ...] = ()  # (item-writing rule, reason) pairs from "waive:" lines
    feedback: str = ""  # "feedback:": general feedback, shown to the student once the question is graded
    points: int = 1  # "points:": what the question weighs in the final quiz's score

    @property
    def correct_indexes(self) -> frozenset[int]:
        return frozenset(i for i, o in enumerate(self.options) if o.correct)


@dataclass(frozen=True)
class Quiz:
    lesson: str
    final: tuple[str, ...]
    questions: tuple[Question, ...]
    path: str
    folder: str
    stem: str
    final_line: int = 1
    lesson_line: int = 1

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Screen:
    """What the student sees at one position of the slide counter."""

    position: int  # 1-based
    kind: str  # "content" | "question"
    title: str
    body: str
    notes: str
    question_id: str | None = None
    checkpoint_number: int | None = None  # 1 = checkpoint A
    checkpoint_item: int | None = None  # 1-based within the checkpoint
    checkpoint_size: int | None = None
    line: int = 0  # where the slide starts in its file
    optional: bool = False  # a content slide marked "<!-- optional -->"


@dataclass
class ContentSet:
    """Everything that loaded cleanly, plus every problem found."""

    courses: dict[str, Course] = field(default_factory=dict)
    glossaries: dict[str, Glossary] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)  # keyed by lesson id
    problems: list[Problem] = field(default_factory=list)
    lesson_paths: set[str] = field(default_factory=set)  # every lesson file seen, loaded or not
