"""`flask quiz import|export`: Moodle GIFT, Aiken and Lesmark Markdown in and out of a lesson's quiz bank.

Exit codes of `flask quiz import`: 0 when the file has no errors, 1 when it has (its valid
questions are still listed, and stored unless --dry-run), 2 when the command is refused and
nothing is stored (unknown course, lesson or goal; no --lesson for a real import; the quiz
bank would not pass `flask content check`)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

# the services are imported inside the commands: registering the CLI must not load the database layer
from .content.interchange import (
    FORMATS,
    ImportResult,
    LineError,
    Skipped,
    export_quiz,
    import_questions,
)

MAX_FILE_BYTES = 2_000_000


class Refused(click.ClickException):
    exit_code = 2


def read_upload(path: Path) -> tuple[str, LineError | None]:
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        return "", LineError(1, f"the file is larger than {MAX_FILE_BYTES} bytes")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return "", LineError(data.count(b"\n", 0, exc.start) + 1, "the file is not UTF-8 text")


def register(app: Flask) -> None:
    quiz = AppGroup("quiz", help="Import questions (GIFT, Aiken, Markdown) and export a lesson's quiz bank.")

    @quiz.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--format", "text_format", type=click.Choice(FORMATS), required=True, help="The file's format.")
    @click.option("--course", required=True, help="Course id (its language names true/false options).")
    @click.option("--lesson", help="Lesson id whose quiz bank gets the questions (needed to store them).")
    @click.option("--goal", "goals", multiple=True,
                  help="Goal id the questions count for (repeatable). Default: every goal of the lesson.")
    @click.option("--dry-run", is_flag=True, help="Only check the file and show what would be imported.")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object: questions, skipped, errors.")
    def import_command(file: Path, text_format: str, course: str, lesson: str | None, goals: tuple[str, ...],
                       dry_run: bool, as_json: bool):
        """Import the questions of FILE into a lesson's quiz bank, as a new revision in the database."""
        from .services import quiz_bank
        if not dry_run and not lesson:
            raise Refused("--lesson is needed to store the questions (or use --dry-run to check the file)")
        try:
            language = quiz_bank.find_course(course).language
            target = quiz_bank.find_lesson(course, lesson) if lesson else None
        except quiz_bank.QuizBankError as exc:
            raise Refused(str(exc)) from None
        if goals and target is None:
            raise Refused("--goal needs --lesson")
        text, unreadable = read_upload(file)
        result = ImportResult(errors=[unreadable]) if unreadable else import_questions(
            text, text_format, language=target.language if target else language)
        plan = None
        if target is not None:
            try:
                plan = quiz_bank.plan_import(target, result.questions, tuple(goals))
            except quiz_bank.QuizBankError as exc:
                raise Refused(str(exc)) from None
            result = _without_duplicates(result, plan)
        if as_json:
            click.echo(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            _print_listing(file, result, plan)
        if not dry_run and plan is not None:
            _store(plan, file, text_format, quiet=as_json)
        if result.errors:
            raise SystemExit(1)

    @quiz.command("export")
    @click.argument("lesson")
    @click.option("--format", "text_format", type=click.Choice(FORMATS), required=True)
    @click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
                  help="Write to this file instead of standard output.")
    def export_command(lesson: str, text_format: str, output: Path | None):
        """Export LESSON's quiz bank, as stored in the database, to GIFT, Aiken or Lesmark Markdown."""
        from .services import quiz_bank
        try:
            quiz = quiz_bank.lesson_quiz(lesson)
        except quiz_bank.QuizBankError as exc:
            raise Refused(str(exc)) from None
        if quiz is None:
            raise Refused(f"lesson {lesson!r} has no quiz bank")
        result = export_quiz(quiz, text_format)
        for question_id, reason in result.left_out:
            click.echo(f"left out {question_id}: {reason}", err=True)
        if output is None:
            click.echo(result.text, nl=False)
        else:
            output.write_text(result.text, encoding="utf-8")
            click.echo(f"{len(quiz.questions) - len(result.left_out)} question(s) written to {output}", err=True)

    app.cli.add_command(quiz)


def _without_duplicates(result: ImportResult, plan) -> ImportResult:
    """Questions already in the quiz bank are listed as skipped, with the id they have there."""
    if not plan.already_there:
        return result
    again = {id(q): question_id for q, question_id in plan.already_there}
    skipped = result.skipped + [Skipped(q.line, f"already in the quiz bank as {again[id(q)]}", q.title)
                                for q in result.questions if id(q) in again]
    return replace(result, questions=[q for q in result.questions if id(q) not in again],
                   skipped=sorted(skipped, key=lambda s: s.line))


def _print_listing(file: Path, result: ImportResult, plan) -> None:
    click.echo(f"{file.name}: {len(result.questions)} question(s) to import, {len(result.skipped)} skipped, "
               f"{len(result.errors)} error(s)")
    stored_as = plan.questions if plan else [None] * len(result.questions)
    for question, lesmark in zip(result.questions, stored_as, strict=True):
        target = f" -> {lesmark.id} (goals {', '.join(lesmark.goals)})" if lesmark else ""
        click.echo(f"  line {question.line}: {question.type} \"{question.label}\" "
                   f"({len(question.options)} options){target}")
        for note in question.notes:
            click.echo(f"      {note}")
    for skipped in result.skipped:
        click.echo(f"  line {skipped.line}: skipped: {skipped.reason}")
    for error in result.errors:
        click.echo(f"  line {error.line}: error: {error.message}")


def _store(plan, file: Path, text_format: str, quiet: bool) -> None:
    from .services import quiz_bank
    if not plan.questions:
        click.echo("Nothing new to store.", err=quiet)
        return
    outcome = quiz_bank.store_import(plan, message=f"import of {file.name} ({text_format})")
    if not outcome.stored:
        for problem in outcome.problems:
            click.echo(f"refused: {problem}", err=True)
        raise Refused(f"nothing stored: the quiz bank {plan.target.quiz_path} would not pass the content check")
    click.echo(f"Stored {len(outcome.questions)} question(s) as revision {outcome.revision} of "
               f"{plan.target.quiz_path}.", err=quiet)
