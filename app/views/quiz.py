"""End-of-lesson quiz: start (or continue) an attempt, submit once, see the result."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..models import AttemptStatus
from ..services import attempts, hand_in
from ..services import classes as class_service
from ..services import progress as progress_service
from .forms import CsrfForm, final_answers
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
    return start_page(lesson)


def start_page(lesson, status: int = 200):
    questions = attempts.final_questions(lesson.id)
    if not questions:
        abort(404)
    return render_template("quiz/start.html", lesson=lesson, question_count=len(questions),
                           earlier=attempts.submitted_finals(current_user.id, lesson.id), form=CsrfForm(),
                           attempts_left=class_service.attempts_left(current_user.id, lesson.id),
                           key_policy=class_service.key_policy(current_user.id, lesson.id)), status


@bp.post("/lessons/<slug:slug>/quiz/new")
@login_required
def begin(slug: str):
    """Starting an attempt changes data, so it is a POST (never a link a browser may prefetch).
    An open attempt is always continued; a new one only while the class's policy allows another."""
    lesson = get_lesson_or_404(slug)
    if attempts.open_final(current_user.id, lesson.id) is None \
            and class_service.attempts_left(current_user.id, lesson.id) == 0:
        return start_page(lesson, 409)
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
    slots = attempts.attempt_slots(attempt)
    if attempt.status == AttemptStatus.SUBMITTED:
        responses = {r.slot_id: r for r in attempt.responses}
        goal_rows = progress_service.goals_progress(current_user.id, [attempt.lesson_id])[attempt.lesson_id]
        # the correct answers (and whether each answer was right) only when the class's policy allows
        return render_template("quiz/result.html", attempt=attempt, lesson=attempt.lesson, slots=slots,
                               responses=responses, goal_rows=goal_rows, form=CsrfForm(),
                               key_policy=class_service.key_policy(current_user.id, attempt.lesson_id),
                               attempts_left=class_service.attempts_left(current_user.id, attempt.lesson_id))
    return render_template("quiz/take.html", attempt=attempt, lesson=attempt.lesson, slots=slots,
                           form=CsrfForm(), errors={}, chosen={}, allow_unanswered=False)


@bp.post("/attempts/<int(min=1, max=2147483647):attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    try:  # what grading needs, in one statement; the questions' text loads only to show errors
        attempt = hand_in.attempt_to_grade(current_user.id, attempt_id)
    except attempts.NotFound:
        abort(404)
    if attempt.status != AttemptStatus.OPEN:
        return redirect(url_for("quiz.attempt", attempt_id=attempt.id), code=303)
    slots = attempt.slots
    # values are the positions the student saw
    answers, errors, unanswered = final_answers(request.form.getlist, slots)
    if unanswered and request.form.get("confirm_unanswered") != "1" and not errors:
        for number in unanswered:
            errors[number] = _("Not answered yet. Answer it, or hand in anyway: it will score 0.")
    if errors:
        shown = owned_or_404(attempt_id)
        return render_template("quiz/take.html", attempt=shown, lesson=shown.lesson,
                               slots=attempts.attempt_slots(shown), form=CsrfForm(), errors=errors,
                               chosen=answers, allow_unanswered=bool(unanswered)), 400
    hand_in.submit_final(attempt, answers, slots)
    return redirect(url_for("quiz.attempt", attempt_id=attempt_id) + "#result", code=303)
