"""Teacher pages, part two: the lesson editor (a chosen slide, or the slide under the cursor, rendered
and sanitised on the server) and the history of a lesson or quiz bank (list, diff, restore)."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..content import editing
from ..content.media import MAX_MEDIA_BYTES
from ..content.model import ContentError, Problem
from ..content.render import RenderError, render_markdown
from ..content.site import glossary_url
from ..services import authoring, content_store
from ..services import media as media_service
from .access import teacher_required
from .forms import CsrfForm
from .media_reasons import refusal_reason
from .teach import KINDS, bp, diff_rows, lesson_or_404
from .teach_forms import LessonForm

# --- lesson editor -----------------------------------------------------------------------------

@bp.route("/lessons/<slug:slug>/edit", methods=["GET", "POST"])
@teacher_required
def edit_lesson(slug: str):
    lesson = lesson_or_404(slug)
    path = authoring.document_path(lesson, "lesson")
    form = LessonForm()
    problems, status = [], 200
    if request.method == "GET":
        form.source.data = authoring.current_source(path) or ""
        form.slide.data = request.args.get("slide", 1, type=int) or 1
    elif not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        status = 400
    elif request.form.get("action") == "save":
        result = authoring.save_lesson(lesson, current_user.id, form.source.data, form.message.data or "")
        if result.ok:
            flash(_("Lesson saved."), "success")
            return redirect(url_for("teach.edit_lesson", slug=lesson.slug, slide=form.slide.data), 303)
        problems, status = result.problems, 400
    return editor_page(lesson, form, problems, status)


@bp.post("/lessons/<slug:slug>/slides/<int:number>/<any(add, up, down, delete):action>")
@teacher_required
def slide_action(slug: str, number: int, action: str):
    """Add a slide after this one, move it up or down, or delete it: a text edit of the saved lesson,
    saved like any other (a refused result shows its problems and stores nothing)."""
    lesson = lesson_or_404(slug)
    if not CsrfForm().validate_on_submit():
        abort(400)
    path = authoring.document_path(lesson, "lesson")
    try:
        text = editing.edit_slide(path, authoring.current_source(path) or "", number, action, _("## New slide"))
    except ContentError:
        text = None
    if text is None:
        abort(404 if action in ("add", "delete") else 400)
    messages = {"add": _("Slide added after slide %(n)s.", n=number), "up": _("Slide %(n)s moved up.", n=number),
                "down": _("Slide %(n)s moved down.", n=number), "delete": _("Slide %(n)s deleted.", n=number)}
    result = authoring.save_lesson(lesson, current_user.id, text, messages[action])
    shown = {"add": number + 1, "up": number - 1, "down": number + 1, "delete": max(number - 1, 1)}[action]
    if result.ok:
        flash(messages[action], "success")
        return redirect(url_for("teach.edit_lesson", slug=lesson.slug, slide=shown) + "#slides", 303)
    form = LessonForm(formdata=None)
    form.source.data, form.slide.data = text, shown
    return editor_page(lesson, form, result.problems, 409)


def editor_page(lesson, form, problems, status: int, media_error: str | None = None):
    path = authoring.document_path(lesson, "lesson")
    preview = slide_preview(lesson, path, form.source.data or "", form.slide.data or 1)
    if preview["problems"] and not problems:
        problems = preview["problems"]
        status = 400 if request.method == "POST" and status == 200 else status
    return render_template("teach/lesson_editor.html", lesson=lesson, course=lesson.course, form=form,
                           problems=problems, preview=preview, saved_slides=saved_slides(path), media=media_service.course_media(course_folder(lesson)),
                           media_form=CsrfForm(), media_error=media_error, max_media_mb=MAX_MEDIA_BYTES // 1_000_000
                           ), status


def saved_slides(path: str) -> list:
    """The slides of the saved lesson: the slide buttons act on them, not on unsaved text."""
    parsed, _problems = authoring.lesson_preview(path, authoring.current_source(path) or "")
    return list(parsed.slides) if parsed is not None else []


def course_folder(lesson) -> str:
    """The folder the lesson's file is in: its images are in lessons/<folder>/media/."""
    return authoring.document_path(lesson, "lesson").split("/")[1]


@bp.post("/lessons/<slug:slug>/media")
@teacher_required
def upload_media(slug: str):
    """Store an image for the lessons of this course; the page then shows the line to put in a slide."""
    lesson = lesson_or_404(slug)
    if not CsrfForm().validate_on_submit():
        abort(400)
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        return media_failure(lesson, _("Choose an image file to upload."))
    data = upload.stream.read(MAX_MEDIA_BYTES + 1)
    result = media_service.upload(course_folder(lesson), upload.filename, data, current_user.id)
    if not result.ok:
        reason = refusal_reason(result.reason, result.params, result.message)
        return media_failure(lesson, _("The image was not stored: %(reason)s", reason=reason))
    flash(_("Image stored as media/%(name)s. Put it on a slide with a line of its own: "
            "![describe the image](media/%(name)s \"caption\")", name=result.name), "success")
    return redirect(url_for("teach.edit_lesson", slug=lesson.slug) + "#media", 303)


def media_failure(lesson, message: str):
    form = LessonForm(formdata=None)
    form.source.data = authoring.current_source(authoring.document_path(lesson, "lesson")) or ""
    form.slide.data = 1
    return editor_page(lesson, form, [], 400, media_error=message)


@bp.post("/lessons/<slug:slug>/edit/preview")
@teacher_required
def preview_slide(slug: str):
    """The preview of one slide of posted text, alone: the editor's script follows the cursor with it."""
    lesson = lesson_or_404(slug)
    number = request.form.get("slide", type=int)
    if number is None or not 1 <= number <= 10_000:
        abort(400)
    preview = slide_preview(lesson, authoring.document_path(lesson, "lesson"), request.form.get("source", ""), number)
    return render_template("teach/_slide_preview.html", lesson=lesson, preview=preview, standalone=True)


def slide_preview(lesson, path: str, text: str, number: int) -> dict:
    """The chosen slide of the (posted or stored) text, rendered and sanitised like sync does."""
    parsed, problems = authoring.lesson_preview(path, text)
    preview = {"problems": problems, "count": 0, "number": number, "html": "", "kind": None, "questions": []}
    if parsed is None:
        return preview
    preview["count"] = len(parsed.slides)
    if not 1 <= number <= len(parsed.slides):
        return preview
    slide = parsed.slides[number - 1]
    preview["kind"] = slide.kind
    if slide.kind == "checkpoint":
        preview["questions"] = list(slide.question_ids)
        return preview
    try:
        preview["html"] = render_markdown(slide.body, glossary_url(lesson.course.slug),
                                          media_service.image_urls(course_folder(lesson)))
    except RenderError as exc:
        preview["problems"] = [Problem(path, slide.line, f"slide cannot be rendered: {exc}")]
    return preview


# --- history -----------------------------------------------------------------------------------

@bp.get(f"/lessons/<slug:slug>/history/<{KINDS}:kind>")
@teacher_required
def history(slug: str, kind: str):
    lesson = lesson_or_404(slug)
    return history_page(lesson, kind)


def history_page(lesson, kind: str, problems=(), status: int = 200):
    path = authoring.document_path(lesson, kind)
    revisions = content_store.revisions(path)
    return render_template("teach/history.html", lesson=lesson, course=lesson.course, kind=kind, path=path,
                           revisions=revisions, authors=authoring.author_names(r.author_id for r in revisions),
                           problems=problems, form=CsrfForm()), status


@bp.get(f"/lessons/<slug:slug>/history/<{KINDS}:kind>/diff")
@teacher_required
def diff(slug: str, kind: str):
    lesson = lesson_or_404(slug)
    old, new = request.args.get("a", type=int), request.args.get("b", type=int)
    if old is None or new is None:
        abort(400)
    path = authoring.document_path(lesson, kind)
    lines = content_store.compare(path, min(old, new), max(old, new))
    if lines is None:
        abort(404)
    return render_template("teach/diff.html", lesson=lesson, course=lesson.course, kind=kind,
                           old=min(old, new), new=max(old, new), rows=diff_rows(lines))


@bp.post(f"/lessons/<slug:slug>/history/<{KINDS}:kind>/<int:number>/restore")
@teacher_required
def restore(slug: str, kind: str, number: int):
    lesson = lesson_or_404(slug)
    if content_store.revision(authoring.document_path(lesson, kind), number) is None:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    result = authoring.restore(lesson, kind, number, current_user.id)
    if not result.ok:
        return history_page(lesson, kind, result.problems, 409)
    flash(_("Revision %(n)s restored as a new revision.", n=number), "success")
    return redirect(url_for("teach.history", slug=lesson.slug, kind=kind), 303)
