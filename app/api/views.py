"""/api/v1 endpoints: parse the request, call a service, shape the answer. No queries of their own.

Every endpoint needs a personal access token (`Authorization: Bearer lm_...`) with the scope it
names; a session cookie authenticates nothing here. Answer keys never leave before a submission,
and after it only when the class's answer-key policy allows.
"""

from __future__ import annotations

import http
from functools import wraps

from flask import current_app, g, request
from flask_smorest import Blueprint, abort

from ..extensions import limiter
from ..learning.grading import InvalidResponse
from ..models import AttemptStatus
from ..services import attempts, gradebook, hand_in, lessons, tokens
from ..services import classes as class_service
from ..services import progress as progress_service
from . import API_PREFIX
from . import schemas as s
from .problems import problem

bp = Blueprint("api", __name__, url_prefix=API_PREFIX,
               description="Lesmark's JSON API; every error is application/problem+json (RFC 9457).")


def rate_limit_key() -> str:
    """Per token (its public prefix); requests without a well-formed token share their address's bucket."""
    header = request.headers.get("Authorization", "")
    prefix = tokens.prefix_of(header[7:]) if header[:7].lower() == "bearer " else None
    return f"api-token:{prefix}" if prefix else f"api-address:{request.remote_addr}"


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)
# Blueprint limits are checked before the blueprint's requests only (app/security.py): first, so an
# unauthenticated flood is limited too.
bp.before_request(limiter._check_request_limit)


@bp.before_request
def authenticate_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "Send a personal access token: Authorization: Bearer lm_...",
                       headers={"WWW-Authenticate": 'Bearer realm="lesmark"'})
    found = tokens.authenticate(token.strip())
    if found is None:
        return problem(401, "The token is unknown, expired or revoked.",
                       headers={"WWW-Authenticate": 'Bearer realm="lesmark", error="invalid_token"'})
    g.api_user, g.api_token = found


def scoped(scope: str):
    """Refuse (403) a token without `scope`; documents the 401, 403 and 429 answers too."""
    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if scope not in g.api_token.scope_set:
                abort(403, message=f"This token lacks the '{scope}' scope.")
            return view(*args, **kwargs)
        for status in (http.HTTPStatus.UNAUTHORIZED, http.HTTPStatus.FORBIDDEN, http.HTTPStatus.TOO_MANY_REQUESTS):
            checked = bp.alt_response(status.value, response=status.name)(checked)
        return checked
    return decorate


def user():
    return g.api_user


# --- courses and lessons -------------------------------------------------------------------------

@bp.get("/courses")
@scoped("read")
@bp.response(200, s.CourseList)
def courses():
    """Every course with its lesson, minute and goal totals."""
    return {"courses": [{"slug": row.course.slug, "title": row.course.title, "language": row.course.language,
                         "level": row.course.level, "description": row.course.description, "lessons": row.lessons,
                         "minutes": row.minutes, "goals": row.goals} for row in lessons.catalogue_summary()]}


def lesson_brief(lesson) -> dict:
    return {"slug": lesson.slug, "title": lesson.title, "language": lesson.language, "minutes": lesson.minutes,
            "position": lesson.position, "slides": lesson.screen_count}


@bp.get("/courses/<slug:slug>")
@scoped("read")
@bp.response(200, s.CourseDetail)
@bp.alt_response(404, response="NOT_FOUND")
def course(slug: str):
    """One course with its lessons in order."""
    found = lessons.course_by_slug(slug)
    if found is None:
        abort(404, message="No such course.")
    return {"slug": found.slug, "title": found.title, "language": found.language, "level": found.level,
            "description": found.description, "lessons": [lesson_brief(x) for x in lessons.active_lessons(found.id)]}


def lesson_or_404(slug: str):
    found = lessons.lesson_by_slug(slug)
    if found is None:
        abort(404, message="No such lesson.")
    return found


def shown_options(version, order) -> list[dict]:
    return [{"position": position, "html": version.options[index]["html"]} for position, index in enumerate(order)]


@bp.get("/lessons/<slug:slug>")
@scoped("read")
@bp.response(200, s.LessonDetail)
@bp.alt_response(404, response="NOT_FOUND")
def lesson(slug: str):
    """A lesson with every slide (HTML as stored). Checkpoint questions come with their options in the
    order this student sees them, never with the answer key; speaker notes only for teachers."""
    found = lesson_or_404(slug)
    runs = attempts.closed_runs(user().id, found.id)
    slides = []
    for screen, version in lessons.handout(found.id):
        question = None
        if version is not None:
            order = attempts.checkpoint_order(user().id, screen.question_id, runs, version)
            question = {"type": version.type, "stem_html": version.stem_html,
                        "options": shown_options(version, order)}
        slides.append({"position": screen.position, "kind": screen.kind, "title": screen.title,
                       "body_html": screen.body_html, "notes_html": screen.notes_html if user().is_teacher else None,
                       "question": question})
    return {"slug": found.slug, "title": found.title, "language": found.language, "minutes": found.minutes,
            "course": found.course.slug, "goals": [{"slug": goal.slug, "text": goal.text}
                                                   for goal in found.goals if not goal.retired],
            "slides": slides}


# --- progress ------------------------------------------------------------------------------------

@bp.get("/progress")
@scoped("read")
@bp.response(200, s.Progress)
def progress():
    """The token owner's mastery of every learning goal, per lesson (the course's mastery method)."""
    all_lessons = [lesson for group in lessons.lessons_by_course([c.id for c in lessons.catalogue()]).values()
                   for lesson in group]
    rows = progress_service.goals_progress(user().id, [x.id for x in all_lessons])
    return {"lessons": [{"lesson": x.slug, "title": x.title, "goals": [
        {"slug": row.goal.slug, "text": row.goal.text, "status": row.progress.status,
         "mastery": row.progress.mastery, "answered": row.progress.answered, "total": row.progress.total,
         "fraction_correct": row.progress.fraction_correct} for row in rows.get(x.id, [])]}
        for x in all_lessons]}


# --- final quizzes -------------------------------------------------------------------------------

def attempt_body(attempt) -> dict:
    """The attempt as its student may see it: keys and feedback only after submission and when the
    class's answer-key policy allows."""
    submitted = attempt.status == AttemptStatus.SUBMITTED
    policy = class_service.key_policy(attempt.user_id, attempt.lesson_id) if submitted else None
    key_visible = bool(policy and policy.visible)
    responses = {r.slot_id: r for r in attempt.responses} if submitted else {}
    questions = []
    for slot in attempts.attempt_slots(attempt):
        version, order = slot.version, list(slot.option_order)
        response = responses.get(slot.id)
        selected = None
        if submitted:
            stored = set(response.selected) if response is not None else set()
            selected = [position for position, index in enumerate(order) if index in stored]
        questions.append({
            "slot": slot.number, "type": version.type, "stem_html": version.stem_html,
            "options": shown_options(version, order), "selected": selected,
            "score": response.score if response is not None else None, "points": version.points,
            "correct": [p for p, i in enumerate(order) if version.options[i]["correct"]] if key_visible else None,
            "feedback_html": [version.options[i].get("feedback_html", "") for i in order] if key_visible else None,
            "general_feedback_html": version.feedback_html if key_visible else None})
    percent = None
    if attempt.score is not None and attempt.max_score:
        percent = round(100 * attempt.score / attempt.max_score, 1)
    return {"id": attempt.id, "lesson": attempt.lesson.slug, "status": attempt.status,
            "started_at": attempt.started_at, "submitted_at": attempt.submitted_at, "score": attempt.score,
            "max_score": attempt.max_score, "percent": percent, "key_visible": key_visible,
            "key_reveal_at": policy.reveal_at if policy else None, "questions": questions}


@bp.post("/lessons/<slug:slug>/attempts")
@scoped("quiz")
@bp.response(201, s.Attempt, description="a new final-quiz attempt")
@bp.alt_response(200, schema=s.Attempt, description="the open attempt, continued")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
def start_attempt(slug: str):
    """Start the lesson's final quiz, or continue the open attempt. Refused (409) when the class's
    policy allows no further attempt."""
    found = lesson_or_404(slug)
    open_attempt = attempts.open_final(user().id, found.id)
    if open_attempt is not None:
        return attempt_body(open_attempt), 200
    if class_service.attempts_left(user().id, found.id) == 0:
        abort(409, message="Your class allows no further attempt at this quiz.")
    attempt = attempts.start_final(user().id, found.id)
    if attempt is None:
        abort(404, message="This lesson has no final quiz.")
    return attempt_body(attempt), 201


def owned_or_404(attempt_id: int):
    try:
        return attempts.owned_attempt(user().id, attempt_id)
    except attempts.NotFound:
        abort(404, message="No such attempt of yours.")


@bp.get("/attempts/<int(min=1, max=2147483647):attempt_id>")
@scoped("read")
@bp.response(200, s.Attempt)
@bp.alt_response(404, response="NOT_FOUND")
def attempt(attempt_id: int):
    """One of the token owner's final-quiz attempts: the questions, and after submission the score."""
    return attempt_body(owned_or_404(attempt_id))


@bp.post("/attempts/<int(min=1, max=2147483647):attempt_id>/submit")
@scoped("quiz")
@bp.arguments(s.Submission)
@bp.response(200, s.Attempt)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
def submit_attempt(submission: dict, attempt_id: int):
    """Hand in the attempt with the option positions as shown, per slot; graded exactly once."""
    attempt = owned_or_404(attempt_id)
    if attempt.status != AttemptStatus.OPEN:
        abort(409, message="This attempt is already handed in.")
    slots = {slot.number: slot for slot in attempts.attempt_slots(attempt)}
    answers, errors = {}, []
    for index, answer in enumerate(submission["answers"]):
        slot = slots.get(answer["slot"])
        chosen = set(answer["selected"])
        if slot is None:
            errors.append({"field": f"answers.{index}.slot", "message": "No such question in this attempt."})
        elif answer["slot"] in answers:
            errors.append({"field": f"answers.{index}.slot", "message": "Answered twice."})
        elif any(p >= len(slot.option_order) for p in chosen):
            errors.append({"field": f"answers.{index}.selected", "message": "Choose only from the options shown."})
        elif slot.version.type != "multiple" and len(chosen) > 1:
            errors.append({"field": f"answers.{index}.selected", "message": "Choose one answer."})
        else:
            answers[answer["slot"]] = chosen
    unanswered = [n for n in slots if not answers.get(n)]
    if unanswered and not submission["allow_unanswered"] and not errors:
        errors = [{"field": "answers", "message": f"Question {n} is not answered (set allow_unanswered to hand "
                                                  "in anyway: it scores 0)."} for n in unanswered]
    if errors:
        return problem(422, "The answers cannot be graded.", errors=errors)
    try:
        graded = hand_in.submit_final(attempt, answers, list(slots.values()))  # slots already loaded
    except InvalidResponse:
        return problem(422, "The answers cannot be graded.")
    if not graded:
        abort(409, message="This attempt is already handed in.")
    return attempt_body(attempt)


# --- gradebook -----------------------------------------------------------------------------------

@bp.get("/classes/<int(min=1, max=2147483647):class_id>/gradebook")
@scoped("gradebook")
@bp.response(200, s.Gradebook)
@bp.alt_response(404, response="NOT_FOUND")
def class_gradebook(class_id: int):
    """Students x assignments of a class the token owner teaches: counting score, status, late mark."""
    if not user().is_teacher:
        abort(403, message="Only teachers have gradebooks.")
    group = class_service.teacher_class(user(), class_id)
    if group is None:
        abort(404, message="No such class of yours.")
    book = gradebook.gradebook(group)
    return {"id": group.id, "name": group.name,
            "assignments": [{"id": a.id, "lesson": lesson.slug, "title": lesson.title, "due_at": a.due_at,
                             "pass_mark": a.pass_mark, "counting": a.counting} for a, lesson in book.assignments],
            "students": [{"id": st.id, "username": st.username, "display_name": st.display_name,
                          "cells": [{"assignment": a.id, **cell_fields(book.cells[(st.id, a.id)])}
                                    for a, _ in book.assignments]} for st in book.students]}


def cell_fields(cell) -> dict:
    return {"status": cell.status, "late": cell.late, "percent": cell.percent, "submitted": cell.submitted,
            "reset": cell.reset}
