"""Command line: `flask content check|sync`, `flask demo`, `flask users create`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .content.loader import load_sources, read_tree
from .content.media import check_media_files, read_media_tree
from .content.model import Problem
from .content.site import build_site
from .learning.item_checks import check_content_items
from .services import accounts
from .services.content_store import OURS, THEIRS, export_files, sync_files
from .services.media import count_media_changes, media_states

DEMO_ACCOUNTS = (
    ("demo", "Demo Student", "lesmark-demo-2026", "student"),
    ("docent", "Demo Docent", "lesmark-docent-2026", "teacher"),
)


def check_tree(root: Path) -> tuple[list[Problem], list[Problem], int]:
    """Every problem in the tree (reading, parsing, cross-file references, rendering), the
    item-writing warnings of the quizzes that load, and the lesson count."""
    files, problems = read_tree(root)
    media_files, unreadable_media = read_media_tree(root)
    media, media_problems = check_media_files(media_files)
    problems += unreadable_media + media_problems
    build = build_site(files, {path: clean.sha256 for path, clean in media.items()})
    warnings = check_content_items(load_sources(files))
    return sorted([*problems, *build.problems], key=lambda p: (p.path, p.line)), warnings, len(build.lessons)


def content_root_of(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if (candidate / "lessons").is_dir() or (candidate / "quizzes").is_dir():
            return candidate
    raise click.BadParameter(f"{path} is not inside a folder with lessons/ or quizzes/", param_hint="PATH")


COURSE_MEMBER_ERRORS = {
    "unknown_course": "no such course",
    "unknown_user": "no such user",
    "not_a_teacher": "only teachers and admins can hold a course (flask users create-teacher)",
    "last_owner": "this is the course's only owner",
}


def read_new_password(username: str, name: str) -> str:
    """Asked twice at a terminal; otherwise the first line of standard input (for scripts)."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    check = accounts.check_password(password, username, name)
    if not check.ok:
        raise click.ClickException(
            f"password rejected ({check.problem.replace('_', ' ')}): use at least {accounts.MIN_PASSWORD} "
            "characters, for example three or four random words")
    return password


def create_with_role(username: str, name: str, role: str) -> None:
    normalised = accounts.normalise_username(username)
    problem = accounts.username_problem(normalised)
    if problem:
        raise click.ClickException(f"username rejected ({problem.replace('_', ' ')}): use 3 to 40 letters "
                                   "of one alphabet, digits 0-9, '.', '-' or '_', starting with a letter or digit")
    if accounts.username_taken(normalised):
        raise click.ClickException("username: taken")
    password = read_new_password(normalised, name)
    try:
        accounts.register(normalised, name or normalised, password, role)
    except accounts.AccountError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from None
    click.echo(f"created {role} {normalised}")


def give_demo_courses_to_docent() -> None:
    """Development: the demo teacher owns every course that has no owner yet."""
    from .services import authoring

    for course in authoring.ownerless_courses():
        authoring.add_member(course.slug, "docent", authoring.OWNER)
        click.echo(f"  docent owns {course.slug}")


def seed_demo_class() -> None:
    """Development: the demo class of docent, with synthetic students and attempts (issue 9)."""
    from .services import demo_class

    report = demo_class.seed_demo_class("docent")
    if report.created:
        click.echo(f"Demo class '{demo_class.DEMO_CLASS}' of docent: {report.students} synthetic students, "
                   f"{report.attempts} attempts (they cannot log in)")
    else:
        click.echo(f"Demo class '{demo_class.DEMO_CLASS}' of docent: already there")


def register_cli(app: Flask) -> None:
    from . import ops_cli, quiz_cli, report_cli

    ops_cli.register(app)
    quiz_cli.register(app)
    report_cli.register(app)
    content = AppGroup("content", help="Check and load lessons/ and quizzes/.")

    @content.command("check")
    @click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
    @click.option("--strict", is_flag=True, help="Item-writing warnings count as problems (exit 1).")
    def check(path: Path | None, strict: bool):
        """List every problem in the content (or in one file); exit 1 if there is any.

        Item-writing warnings (docs/authoring.md) are listed too; they fail only with --strict."""
        target = (path or current_app.config["CONTENT_ROOT"]).resolve()
        root = content_root_of(target)
        problems, warnings, lesson_count = check_tree(root)
        if target.is_file():
            wanted = target.relative_to(root).as_posix()
            problems = [p for p in problems if p.path == wanted]
            warnings = [w for w in warnings if w.path == wanted]
        for problem in problems:
            click.echo(str(problem))
        for warning in warnings:
            click.echo(f"{warning.path}:{warning.line}: {'error' if strict else 'warning'}: {warning.message}")
        failures = len(problems) + (len(warnings) if strict else 0)
        if failures:
            click.echo(f"{failures} problem(s) found.", err=True)
            raise SystemExit(1)
        if warnings:
            click.echo(f"{len(warnings)} item-writing warning(s); --strict makes them errors.", err=True)
        click.echo(f"Content OK: {lesson_count} lesson(s) checked." if not target.is_file() else "Content OK.")

    @content.command("sync")
    @click.option("--theirs", "resolve", flag_value=THEIRS, help="On a conflict, take the file.")
    @click.option("--ours", "resolve", flag_value=OURS, help="On a conflict, keep the database's revision.")
    def sync(resolve: str | None):
        """Store changed files as revisions and rebuild the site from the database (idempotent).

        Broken files are reported and skipped; a document changed both in its file and in the
        database since the last sync is reported as a conflict and left alone."""
        # counted from two readings around the sync: an upload at the same moment would count too
        media_before = media_states()
        report = sync_files(current_app.config["CONTENT_ROOT"], resolve)
        media = count_media_changes(media_before, media_states())
        for problem in report.problems:
            click.echo(f"skipped: {problem}", err=True)
        for conflict in report.conflicts:
            click.echo(f"{conflict}", err=True)
        click.echo(
            f"revisions +{report.revisions_created}; courses +{report.courses_created} ~{report.courses_updated} "
            f"-{report.courses_retired}; "
            f"lessons +{report.lessons_created} ~{report.lessons_updated} ={report.lessons_unchanged} "
            f"-{report.lessons_retired}; questions +{report.questions_created} "
            f"versions +{report.question_versions_created} retired {report.questions_retired}; "
            f"media +{media.added} ~{media.changed} -{media.removed}"
            + (f"; {len(report.conflicts)} conflict(s)" if report.conflicts else ""))

    @content.command("export")
    @click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
    def export(path: Path | None):
        """Write the current revisions as files under PATH (default: the content folder).

        Only an export into the content folder is recorded as synced with the files."""
        content_root = Path(current_app.config["CONTENT_ROOT"])
        target = path or content_root
        report = export_files(target, record_synced=target.resolve() == content_root.resolve())
        for problem in report.problems:
            click.echo(f"skipped: {problem}", err=True)
        click.echo(f"written {len(report.written)}, unchanged {len(report.unchanged)}")

    app.cli.add_command(content)

    @app.cli.command("demo")
    def demo():
        """Create the demo accounts (development only)."""
        if not current_app.config["DEMO_ACCOUNTS"]:
            raise click.ClickException("demo accounts are never created when LESMARK_ENV=production")
        click.echo("Demo accounts (development only):")
        for username, name, password, role in DEMO_ACCOUNTS:
            _user, created = accounts.ensure_user(username, name, password, role)
            click.echo(f"  {role:8} {username} / {password}{'' if created else '  (already there)'}")
        give_demo_courses_to_docent()
        seed_demo_class()

    users = AppGroup("users", help="Manage accounts.")

    @users.command("create")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["student", "teacher", "admin"]), default="student")
    @click.option("--name", default="")
    @click.password_option()
    def create_user(username, role, name, password):
        """Create an account."""
        problem = accounts.username_problem(accounts.normalise_username(username))
        if problem:
            raise click.ClickException(f"username rejected ({problem.replace('_', ' ')}): use 3 to 40 letters "
                                       "of one alphabet, digits 0-9, '.', '-' or '_', starting with a letter or digit")
        check = accounts.check_password(password, username, name)
        if not check.ok:
            raise click.ClickException(
                f"password rejected ({check.problem.replace('_', ' ')}): use at least {accounts.MIN_PASSWORD} "
                f"characters, for example three or four random words")
        try:
            accounts.register(username, name or username, password, role)
        except accounts.AccountError as exc:
            raise click.ClickException(f"{exc.field}: {exc.message}") from None
        click.echo(f"created {role} {accounts.normalise_username(username)}")

    @users.command("create-teacher")
    @click.argument("username")
    @click.option("--name", default="")
    def create_teacher(username, name):
        """Create a teacher account (password asked twice, or one line of standard input)."""
        create_with_role(username, name, "teacher")

    @users.command("create-admin")
    @click.argument("username")
    @click.option("--name", default="")
    def create_admin(username, name):
        """Create an admin account (password asked twice, or one line of standard input)."""
        create_with_role(username, name, "admin")

    app.cli.add_command(users)

    courses = AppGroup("courses", help="Course owners and co-editors.")

    @courses.command("add-owner")
    @click.argument("course")
    @click.argument("username")
    @click.option("--editor", is_flag=True, help="Add as a co-editor instead of an owner.")
    def add_owner(course, username, editor):
        """Let a teacher edit COURSE in the browser, as owner (or co-editor)."""
        from .services import authoring

        role = authoring.EDITOR if editor else authoring.OWNER
        try:
            authoring.add_member(course, username, role)
        except authoring.AuthoringError as exc:
            raise click.ClickException(COURSE_MEMBER_ERRORS.get(exc.reason, exc.reason)) from None
        click.echo(f"{accounts.normalise_username(username)} is now {role} of {course}")

    app.cli.add_command(courses)
