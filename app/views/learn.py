"""The student path: course page, glossary, lesson overview, slides and checkpoint answers."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kept_slides import slide_read_for
from ..learning.explain import MultipleResponseExplanation, explain_multiple
from ..learning.grading import InvalidResponse
from ..services import attempts
from ..services import lessons as lesson_service
from ..services import progress as progress_service
from .forms import AnswerError, parse_row_id, parse_selection
from .fragments import fragments

bp = Blueprint("learn", __name__)


def explain_answer(version, selected) -> MultipleResponseExplanation | None:
    """The multiple-response rule with the student's numbers, for the score_rule macro; None for
    the other types (right or wrong needs no sum)."""
    if version.type != "multiple":
        return None
    return explain_multiple(len(version.options), version.correct_indexes, set(selected or ()))


@bp.app_context_processor
def score_explanations():
    return {"explain_answer": explain_answer}


def get_course_or_404(slug: str):
    course = lesson_service.course_by_slug(slug)
    if course is None:
        abort(404)
    return course


def get_lesson_or_404(slug: str):
    lesson = lesson_service.lesson_by_slug(slug)
    if lesson is None:
        abort(404)
    return lesson


@bp.get("/courses/<slug:slug>/")
def course(slug: str):
    course = get_course_or_404(slug)
    lessons = lesson_service.active_lessons(course.id)
    progress = {}
    if current_user.is_authenticated:
        progress = lesson_service.progress_by_lesson(current_user.id, [lesson.id for lesson in lessons])
    return render_template("learn/course.html", course=course, lessons=lessons, progress=progress,
                           goal_counts=lesson_service.goal_counts([lesson.id for lesson in lessons]))


@bp.get("/courses/<slug:slug>/glossary")
def glossary(slug: str):
    course = get_course_or_404(slug)
    return render_template("learn/glossary.html", course=course)


@bp.get("/lessons/<slug:slug>/")
@login_required
def lesson(slug: str):
    lesson = get_lesson_or_404(slug)
    rows = progress_service.goals_progress(current_user.id, [lesson.id])[lesson.id]
    return render_template("learn/lesson.html", lesson=lesson, course=lesson.course, goal_rows=rows,
                           progress=lesson_service.lesson_progress(current_user.id, lesson.id),
                           screens=lesson_service.screen_titles(lesson.id),
                           answered=lesson_service.answered_positions(current_user.id, lesson.id),
                           has_final=attempts.has_final_quiz(lesson.id))


@bp.get("/lessons/<slug:slug>/handout")
@login_required
def handout(slug: str):
    """All slides on one printable page; teachers may add speaker notes and the answer key."""
    lesson = get_lesson_or_404(slug)
    with_notes = request.args.get("notes") == "1"
    if with_notes and not current_user.is_teacher:
        abort(403)
    return render_template("learn/handout.html", lesson=lesson, course=lesson.course, with_notes=with_notes,
                           screens=lesson_service.handout(lesson.id))


@bp.get("/lessons/<slug:slug>/resume")
@login_required
def resume(slug: str):
    lesson = get_lesson_or_404(slug)
    progress = lesson_service.lesson_progress(current_user.id, lesson.id)
    position = min(progress.last_position, lesson.screen_count) if progress else 1
    return redirect(url_for("learn.slide", slug=slug, position=max(position, 1)))


@bp.get("/lessons/<slug:slug>/slides/<int(min=1, max=100000):position>")
@login_required
def slide(slug: str, position: int):
    # read already if the kept-slide layer looked first (app/kept_slides.py)
    read = slide_read_for(request.environ, current_user.id, slug, position)
    glance = read.glance if read is not None else lesson_service.screen_glance(current_user.id, slug, position)
    if glance is None:
        abort(404)
    # a content slide reads the same for every student: kept whole, with holes for the personal bits
    page = fragments().kept_page("learn/slide.html", glance.revision) if glance.kind == "content" else None
    if page is None:
        view = lesson_service.screen_view(current_user.id, slug, position)
        if view is None:  # the lesson changed in between
            abort(404)
        page = render_slide(view)  # render before the commit below expires the loaded rows
    if lesson_service.position_changes(glance.stored_position, position):  # a reload writes nothing
        lesson_service.record_position(current_user.id, glance.lesson_id, position)
    return page


def render_slide(view, error: str | None = None, status: int = 200, chosen: set[int] | None = None):
    if view.screen.kind == "content":
        lesson, course, screen = view.lesson, view.course, view.screen
        content = fragments().render("learn/_content_slide.html", view.revision,
                                     lesson=lesson, course=course, screen=screen)
        page = fragments().render_page("learn/slide.html", view.revision, lesson=lesson, course=course,
                                       screen=screen, content_fragment=content)
        if page is not None:
            return page, status
        return render_template("learn/slide.html", lesson=lesson, course=course, screen=screen,
                               content_fragment=content), status
    return render_template("learn/slide.html", view=view, lesson=view.lesson, course=view.course,
                           screen=view.screen, version=view.version, response=view.response,
                           content_fragment=None, error=error, chosen=chosen or set()), status


@bp.post("/lessons/<slug:slug>/slides/<int(min=1, max=100000):position>/answer")
@login_required
def answer(slug: str, position: int):
    view = lesson_service.screen_view(current_user.id, slug, position)
    if view is None or view.screen.kind != "question":
        abort(404)
    if view.response is not None and view.response.reveals_key:  # the key was shown: grade nothing again
        return redirect(url_for("learn.slide", slug=slug, position=position) + "#feedback", code=303)
    version_id = parse_row_id(request.form.get("version"))
    try_number = parse_row_id(request.form.get("try", "1"))
    if version_id is None or try_number not in (1, 2):  # a form we did not make: checked before any query
        return render_slide(view, error=_("This form is incomplete. Reload the page and answer again."), status=400)
    try:
        # the values are the positions the student saw; the service maps them to the options
        displayed = parse_selection(request.form.getlist("option"), len(view.option_order), view.version.type)
        if not displayed:
            raise AnswerError(_no_answer_message(view.version.type))
        attempts.answer_checkpoint(current_user.id, view.screen, version_id, displayed, try_number)
    except attempts.UnknownTry:
        return render_slide(view, error=_("This form is incomplete. Reload the page and answer again."), status=400)
    except AnswerError as exc:
        return render_slide(view, error=str(exc), status=400)
    except InvalidResponse:
        return render_slide(view, error=_("Choose only from the options shown"), status=400)
    except attempts.StaleQuestion:
        view = lesson_service.screen_view(current_user.id, slug, position)
        return render_slide(view, error=_("This question was updated while you were reading it. "
                                          "Read it again and answer."), status=409)
    return redirect(url_for("learn.slide", slug=slug, position=position) + "#feedback", code=303)


@bp.post("/lessons/<slug:slug>/restart")
@login_required
def restart(slug: str):
    """Start the lesson again: fresh checkpoints; the answers given so far stay in the history."""
    lesson = get_lesson_or_404(slug)
    attempts.restart_lesson(current_user.id, lesson.id)
    return redirect(url_for("learn.slide", slug=slug, position=1), code=303)


def _no_answer_message(question_type: str) -> str:
    return _("Choose one or more answers") if question_type == "multiple" else _("Choose an answer")
