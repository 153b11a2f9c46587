"""The student's progress page: every goal of every course they have started."""

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
    return render_template("progress/overview.html", courses=courses, lessons=lessons, goal_rows=goal_rows,
                           progress=progress)
