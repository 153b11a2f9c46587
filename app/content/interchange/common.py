"""What every importer does first (read the lines) and last (fit a question into what a Lesmark
quiz file can hold)."""

from __future__ import annotations

from ..quizzes import MAX_OPTION_CHARS, MAX_OPTIONS, MAX_STEM_CHARS, MIN_OPTIONS
from .model import (
    MAX_IMPORT_CHARS,
    ImportedOption,
    ImportedQuestion,
    ImportResult,
    LineError,
    Skipped,
)

# The two options of a true/false question and the feedback given when a file has none,
# in the language of the course (Lesmark asks for feedback on every option).
TRUE_FALSE_WORDS = {"nl": ("Waar", "Niet waar"), "hu": ("Igaz", "Hamis"), "fi": ("Tosi", "Epätosi"),
                    "en": ("True", "False")}
DEFAULT_FEEDBACK = {"nl": ("Juist.", "Niet juist."), "hu": ("Helyes.", "Nem helyes."),
                    "fi": ("Oikein.", "Väärin."), "en": ("Correct.", "Not correct.")}


def file_lines(result: ImportResult, text: str) -> list[str] | None:
    """What every importer does first: the file's lines (without a byte-order mark, whatever its
    line ends), or None, with the error in `result`, when the file is larger than an import may be."""
    if len(text) > MAX_IMPORT_CHARS:
        result.errors.append(LineError(1, f"the file is larger than {MAX_IMPORT_CHARS} characters"))
        return None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def true_false_words(language: str) -> tuple[str, str]:
    return TRUE_FALSE_WORDS.get(language, TRUE_FALSE_WORDS["en"])


def add_question(result: ImportResult, question: ImportedQuestion, language: str) -> None:
    """Add the question, or list it as skipped when Lesmark cannot hold it.

    Options without feedback get a neutral "Correct." / "Not correct." in the course language
    (noted for the preview); general feedback stays the question's own `feedback:`, which a
    student sees once the question is graded, as in Moodle."""
    reason = lesmark_limit(question)
    if reason:
        result.skipped.append(Skipped(question.line, reason, question.title))
        return
    notes = list(question.notes)
    right_word, wrong_word = DEFAULT_FEEDBACK.get(language, DEFAULT_FEEDBACK["en"])
    options = []
    filled = 0
    for option in question.options:
        feedback = option.feedback
        if not feedback:
            filled += 1
            feedback = right_word if option.correct else wrong_word
        options.append(ImportedOption(option.text, option.correct, feedback, option.weight))
    if filled:
        notes.append(f"{filled} option(s) had no feedback: they get \"{right_word}\" or \"{wrong_word}\".")
    result.questions.append(ImportedQuestion(
        line=question.line, type=question.type, title=question.title, stem=question.stem,
        options=tuple(options), general_feedback=question.general_feedback, category=question.category,
        text_format=question.text_format, notes=tuple(notes), weight_mapping=question.weight_mapping,
        id_hint=question.id_hint, goals=question.goals, source=question.source, rationale=question.rationale,
        points=question.points))


def lesmark_limit(question: ImportedQuestion) -> str:
    count = len(question.options)
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        return f"Lesmark questions have {MIN_OPTIONS}–{MAX_OPTIONS} options; this one has {count}"
    texts = [" ".join(o.text.split()).casefold() for o in question.options]
    if len(set(texts)) != len(texts):
        return "two options have the same text, which Lesmark does not allow"
    if len(question.stem) > MAX_STEM_CHARS:
        return f"the question text is longer than Lesmark's {MAX_STEM_CHARS} characters"
    if any(len(o.text) > MAX_OPTION_CHARS for o in question.options):
        return f"an option is longer than Lesmark's {MAX_OPTION_CHARS} characters"
    return ""


def one_line(text: str) -> str:
    """Option texts are one line in a Lesmark quiz file."""
    return " ".join(text.split())
