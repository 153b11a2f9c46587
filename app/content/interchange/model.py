"""What an import produces: questions ready for a preview, skipped questions and line errors.

Plain, immutable data (no Flask); every problem carries the line of the imported file."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_IMPORT_CHARS = 1_000_000


@dataclass(frozen=True)
class LineError:
    """Something wrong in the file: the question it belongs to is not imported."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Skipped:
    """A well-formed question of a kind Lesmark does not have (essay, matching…)."""

    line: int
    reason: str
    title: str = ""


@dataclass(frozen=True)
class ImportedOption:
    text: str  # Lesmark Markdown
    correct: bool
    feedback: str  # Lesmark Markdown, never empty (a neutral default is filled in)
    weight: float | None = None  # the Moodle percentage written in the file, if any


@dataclass(frozen=True)
class WeightMapping:
    """How Moodle's answer weights of a multiple-response question map onto Lesmark's rule.

    Lesmark scores max(0, right_ticked/right_total - wrong_ticked/wrong_total); Moodle adds up
    the weights of the ticked answers and keeps the sum between 0 and 100 %."""

    weights: tuple[float, ...]  # Moodle percentages in option order
    right: int
    wrong: int
    answers_compared: int  # every way to tick the options (2 ** option count)
    answers_differing: int  # how many of them score differently in Lesmark
    example: tuple[tuple[int, ...], float, float] | None  # ticked indexes, Moodle score, Lesmark score

    @property
    def same_everywhere(self) -> bool:
        return self.answers_differing == 0


@dataclass(frozen=True)
class ImportedQuestion:
    line: int
    type: str  # single | multiple | truefalse
    title: str  # the GIFT ::title:: ("" when none was given)
    stem: str  # Lesmark Markdown
    options: tuple[ImportedOption, ...]
    general_feedback: str = ""
    category: str = ""
    text_format: str = "markdown"  # the format the file gave: markdown | html | plain | moodle
    notes: tuple[str, ...] = ()  # for the preview: what changed on the way in, and why
    weight_mapping: WeightMapping | None = None
    id_hint: str = ""  # the id a Lesmark Markdown file already gave the question
    goals: tuple[str, ...] = ()  # goals the file named (Lesmark Markdown, or a "// goals:" comment)
    source: str = ""
    rationale: str = ""
    points: int = 1  # only Lesmark's own format carries points; GIFT and Aiken questions weigh 1

    @property
    def label(self) -> str:
        """The title, or the start of the stem when the file gave none (as Moodle names it)."""
        if self.title:
            return self.title
        first = " ".join(self.stem.split())
        return first if len(first) <= 60 else first[:59].rstrip() + "…"


@dataclass
class ImportResult:
    questions: list[ImportedQuestion] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    def as_json(self) -> dict:
        """The shape `flask quiz import --json` prints."""
        return {
            "questions": [{"line": q.line, "type": q.type, "title": q.title, "options": len(q.options)}
                          for q in self.questions],
            "skipped": [{"line": s.line, "reason": s.reason} for s in self.skipped],
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
        }


@dataclass(frozen=True)
class ExportResult:
    text: str
    left_out: tuple[tuple[str, str], ...] = ()  # (question id, reason)
