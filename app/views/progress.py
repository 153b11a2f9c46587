"""The student's progress page: the courses they work on first, with quiz scores and every goal."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..services import lessons as lesson_service
from ..services import progress as progress_service

bp = Blueprint("progress", __name__)


@bp.get("/progress")
@login_required
def overview():
    courses = lesson_service.catalogue()
    lessons = lesson_service.lessons_by_course([c.id for c in courses])
    lesson_ids = [lesson.id for ls in lessons.values() for lesson in ls]
    goal_rows = progress_service.goals_progress(current_user.id, lesson_ids)
    progress = lesson_service.progress_by_lesson(current_user.id, lesson_ids)
    scores = progress_service.latest_final_scores(current_user.id, lesson_ids)
    # the courses the student works on come first; the others wait, folded, below
    started = [c for c in courses if any(lesson.id in progress or lesson.id in scores for lesson in lessons[c.id])]
    not_started = [c for c in courses if c not in started]
    return render_template("progress/overview.html", started=started, not_started=not_started, lessons=lessons,
                           goal_rows=goal_rows, progress=progress, scores=scores)
