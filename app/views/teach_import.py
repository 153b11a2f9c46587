"""Teacher pages, part three: import questions from GIFT, Aiken or Lesmark Markdown (upload or paste,
preview, confirm) and download a lesson's quiz bank in those formats (issue 8)."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..content.interchange import export_quiz
from ..content.quizzes import parse_quiz
from ..services import authoring
from .access import teacher_required
from .teach import bp, goal_choices, lesson_or_404
from .teach_forms import ImportForm

# --- import and export (issue 8) ---------------------------------------------------------------

@bp.route("/lessons/<slug:slug>/import", methods=["GET", "POST"])
@teacher_required
def import_questions(slug: str):
    """Upload or paste -> preview (questions, skipped, problems with lines, weight notes) -> confirm."""
    lesson = lesson_or_404(slug)
    form = ImportForm(goal_choices=goal_choices(lesson))
    preview, text, status = None, "", 200
    if request.method == "POST":
        if not form.validate_on_submit():
            if form.csrf_token.errors:
                abort(400)
            status = 400
        else:
            text = uploaded_text(form)
            if text is None:
                status = 400
            else:
                preview = authoring.import_preview(lesson, text, form.format.data, tuple(form.goals.data or ()))
                if request.form.get("action") == "confirm":
                    if not preview.plan.questions:
                        form.text.errors.append(_("There is nothing new to import."))
                        status = 400
                    else:
                        outcome = authoring.store_import(preview, current_user.id, form.message.data or "")
                        if outcome.stored:
                            flash(ngettext("%(num)s question imported.", "%(num)s questions imported.",
                                           len(outcome.questions)), "success")
                            return redirect(url_for("teach.questions", slug=lesson.slug), 303)
                        return render_template("teach/import.html", lesson=lesson, course=lesson.course, form=form,
                                               preview=preview, text=text, problems=outcome.problems), 400
    return render_template("teach/import.html", lesson=lesson, course=lesson.course, form=form, preview=preview,
                           text=text, problems=[]), status


def uploaded_text(form: ImportForm) -> str | None:
    """The uploaded file's text, else the pasted text; None (with the error on the field) if unusable."""
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        data = upload.read(authoring.MAX_IMPORT_BYTES + 1)
        if len(data) > authoring.MAX_IMPORT_BYTES:
            form.file.errors = [_("The file is larger than 300 kB.")]
            return None
        text, bad_line = authoring.decode_upload(data)
        if text is None:
            form.file.errors = [_("The file is not UTF-8 text (line %(n)s). Save it as UTF-8 and try again.", n=bad_line)]
            return None
        return text
    if not (form.text.data or "").strip():
        form.file.errors = [_("Choose a file, or paste the questions")]
        return None
    return form.text.data.replace("\r\n", "\n")


EXPORT_TYPES = {"gift": "gift", "aiken": "txt", "markdown": "md"}


@bp.get("/lessons/<slug:slug>/export/<any(gift, aiken, markdown):text_format>")
@teacher_required
def export_questions(slug: str, text_format: str):
    """The lesson's quiz bank as a download (Aiken: single-choice questions only)."""
    lesson = lesson_or_404(slug)
    bank = authoring.quiz_bank(lesson)
    if bank.layout is None:
        abort(404)
    exported = export_quiz(parse_quiz(bank.path, bank.source), text_format)
    response = make_response(exported.text)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = (f'attachment; filename="{lesson.slug}.{EXPORT_TYPES[text_format]}"')
    if exported.left_out:
        response.headers["X-Lesmark-Left-Out"] = str(len(exported.left_out))
    return response
