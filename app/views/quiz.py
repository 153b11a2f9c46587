"""End-of-lesson quiz: start (or continue) an attempt, submit once, see the result."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..services import attempts
from ..services import progress as progress_service
from .forms import AnswerError, CsrfForm, parse_selection
from .learn import get_lesson_or_404

bp = Blueprint("quiz", __name__)


@bp.get("/lessons/<slug:slug>/quiz")
@login_required
def start(slug: str):
    """The quiz's front page: continue an open attempt, or see earlier results and start one."""
    lesson = get_lesson_or_404(slug)
    attempt = attempts.open_final(current_user.id, lesson.id)
    if attempt is not None:
        return redirect(url_for("quiz.attempt", attempt_id=attempt.id))
    questions = attempts.final_questions(lesson.id)
    if not questions:
        abort(404)
    return render_template("quiz/start.html", lesson=lesson, question_count=len(questions),
                           earlier=attempts.submitted_finals(current_user.id, lesson.id), form=CsrfForm())


@bp.post("/lessons/<slug:slug>/quiz/new")
@login_required
def begin(slug: str):
    """Starting an attempt changes data, so it is a POST (never a link a browser may prefetch)."""
    lesson = get_lesson_or_404(slug)
    attempt = attempts.start_final(current_user.id, lesson.id)
    if attempt is None:
        abort(404)
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id), code=303)


def owned_or_404(attempt_id: int):
    try:
        return attempts.owned_attempt(current_user.id, attempt_id)
    except attempts.NotFound:
        abort(404)


@bp.get("/attempts/<int(min=1, max=2147483647):attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = owned_or_404(attempt_id)
    versions = attempts.attempt_versions(attempt)
    if attempt.status == "submitted":
        responses = {r.question_version_id: r for r in attempt.responses}
        goal_rows = progress_service.goals_progress(current_user.id, [attempt.lesson_id])[attempt.lesson_id]
        return render_template("quiz/result.html", attempt=attempt, lesson=attempt.lesson, versions=versions,
                               responses=responses, goal_rows=goal_rows, form=CsrfForm())
    return render_template("quiz/take.html", attempt=attempt, lesson=attempt.lesson, versions=versions,
                           form=CsrfForm(), errors={}, chosen={})


@bp.post("/attempts/<int(min=1, max=2147483647):attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    attempt = owned_or_404(attempt_id)
    if attempt.status == "submitted":
        return redirect(url_for("quiz.attempt", attempt_id=attempt.id), code=303)
    versions = attempts.attempt_versions(attempt)
    answers, errors, chosen = {}, {}, {}
    for version in versions:
        values = request.form.getlist(f"q{version.id}")
        try:
            answers[version.id] = parse_selection(values, len(version.options), version.type)
            chosen[version.id] = answers[version.id]
        except AnswerError as exc:
            errors[version.id] = str(exc)
    unanswered = [v.id for v in versions if not answers.get(v.id)]
    if unanswered and request.form.get("confirm_unanswered") != "1" and not errors:
        for version_id in unanswered:
            errors[version_id] = _("Not answered yet. Answer it, or hand in anyway: it will score 0.")
    if errors:
        return render_template("quiz/take.html", attempt=attempt, lesson=attempt.lesson, versions=versions,
                               form=CsrfForm(), errors=errors, chosen=chosen,
                               allow_unanswered=bool(unanswered)), 400
    attempts.submit_final(attempt, answers)
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id) + "#result", code=303)
