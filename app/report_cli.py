"""`flask report responses|items`: a lesson quiz's responses as CSV and its item statistics
(issue 9 point 6), for scripts and researchers. Both commands analyse the same attempts as the
item-analysis page: each student's first submitted attempt (`--all-attempts` for every one),
optionally of one class.

Exit codes: 0 on success, 2 when the command is refused (unknown lesson or class)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

RESPONSE_COLUMNS = ("student", "name", "attempt", "attempt_number", "submitted_at", "question", "version",
                    "position", "score", "selected", "selected_text", "correct", "outcome")


class Refused(click.ClickException):
    exit_code = 2


def response_rows(quiz) -> list[list]:
    """One row per analysed attempt x question, in RESPONSE_COLUMNS order."""
    from .services.item_analysis import letter, plain_text

    rows = []
    for r in quiz.rows:
        version = quiz.question(r.question).version
        rows.append([
            r.username, r.display_name, r.attempt_id, r.attempt_number,
            r.submitted_at.isoformat(timespec="seconds") if r.submitted_at else "",
            r.question, version.number, r.slot, round(r.score, 4),
            ";".join(letter(i) for i in r.selected),
            " | ".join(plain_text(version.options[i]["html"]) for i in r.selected),
            ";".join(letter(i) for i in sorted(version.correct_indexes)), r.outcome])
    return rows


def write_responses_csv(quiz, path: Path) -> int:
    """The same CSV as the class exports: UTF-8 with a byte-order mark, a header row, and every
    cell a spreadsheet would run as a formula neutralised (`services.exports.csv_text`)."""
    from .services.exports import csv_text

    rows = response_rows(quiz)
    path.write_text(csv_text(RESPONSE_COLUMNS, rows), encoding="utf-8", newline="")
    return len(rows)


def _gather(lesson_slug: str, class_name: str | None, all_attempts: bool):
    from .services import item_analysis
    from .services.lessons import lesson_by_slug

    lesson = lesson_by_slug(lesson_slug)
    if lesson is None:
        raise Refused(f"no such lesson: {lesson_slug}")
    class_id = None
    if class_name is not None:
        group = item_analysis.find_class(class_name)
        if group is None:
            raise Refused(f"no such class (give its number or its exact, unique name): {class_name}")
        class_id = group.id
    return item_analysis.gather(lesson, class_id=class_id, all_attempts=all_attempts)


def _describe(quiz) -> str:
    analysis = quiz.analysis
    lines = [f"{quiz.lesson.slug}: {analysis.attempts} attempt(s) of {quiz.students} student(s)"
             + (f" - {analysis.warning.replace('_', ' ')}" if analysis.warning else "")]
    for q in analysis.questions:
        figures = ", ".join(f"{name} {'-' if value is None else f'{value:.2f}'}" for name, value in (
            ("facility", q.facility), ("discrimination", q.discrimination), ("upper-lower", q.upper_lower)))
        flags = f"  [{', '.join(f.replace('_', ' ') for f in q.flags)}]" if q.flags else ""
        lines.append(f"  {q.id} (n={q.n}): {figures}{flags}")
    alpha = analysis.reliability.alpha
    lines.append(f"  reliability (KR-20/alpha, n={analysis.reliability.n}): "
                 + ("-" if alpha is None else f"{alpha:.2f} {analysis.reliability.label}"))
    return "\n".join(lines)


def register(app: Flask) -> None:
    report = AppGroup("report", help="A lesson quiz's responses (CSV) and item statistics (text or JSON).")
    lesson_argument = click.argument("lesson")
    class_option = click.option("--class", "class_name", metavar="CLASS",
                                help="Only this class's students (its number or exact name).")
    all_option = click.option("--all-attempts", is_flag=True,
                              help="Every submitted attempt, not only each student's first.")

    @report.command("responses")
    @lesson_argument
    @class_option
    @all_option
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="The CSV file to write.")
    def responses_command(lesson: str, class_name: str | None, all_attempts: bool, output: Path):
        """Write one CSV row per analysed attempt and question of LESSON's final quiz."""
        count = write_responses_csv(_gather(lesson, class_name, all_attempts), output)
        click.echo(f"{count} row(s) written to {output}", err=True)

    @report.command("items")
    @lesson_argument
    @class_option
    @all_option
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    def items_command(lesson: str, class_name: str | None, all_attempts: bool, as_json: bool):
        """Item statistics of LESSON's final quiz: facility, discrimination, options, reliability."""
        quiz = _gather(lesson, class_name, all_attempts)
        if as_json:
            click.echo(json.dumps(quiz.analysis.as_json(), ensure_ascii=False))
        else:
            click.echo(_describe(quiz))

    app.cli.add_command(report)
