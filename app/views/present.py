"""Presenting a lesson in class: the teacher's presenter view (slide, next slide, speaker notes,
clock) and the audience window for the projector, which shows the slide only. Both are plain
linked pages; the script lets the audience window follow the presenter on the same computer."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from ..services import lessons as lesson_service
from ..services import presenting
from .access import teacher_required

bp = Blueprint("present", __name__, url_prefix="/present")


def presenter_view_or_404(slug: str, position: int) -> presenting.PresenterView:
    lesson = lesson_service.lesson_by_slug(slug)
    view = presenting.presenter_view(lesson, position) if lesson is not None else None
    if view is None:
        abort(404)
    return view


@bp.get("/<slug:slug>/<int(min=1, max=100000):position>")
@teacher_required
def presenter(slug: str, position: int):
    """What the teacher sees on the laptop; speaker notes and answer keys are for teachers only."""
    view = presenter_view_or_404(slug, position)
    return render_template("present/presenter.html", view=view, lesson=view.lesson, course=view.lesson.course,
                           screen=view.current.screen)


@bp.get("/<slug:slug>/<int(min=1, max=100000):position>/audience")
@teacher_required
def audience(slug: str, position: int):
    """What the class sees on the projector: the slide alone; the key only once the teacher reveals it."""
    view = presenter_view_or_404(slug, position)
    return render_template("present/audience.html", view=view, lesson=view.lesson, course=view.lesson.course,
                           screen=view.current.screen, show_key=request.args.get("key") == "1")

