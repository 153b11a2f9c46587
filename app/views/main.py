"""Home (course catalogue), health check and the language switcher."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..services import lessons as lesson_service
from .forms import LanguageForm
from .navigation import local_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    languages = lesson_service.course_languages()
    chosen = request.args.get("language", "")
    if chosen and chosen not in languages:
        chosen = ""  # an unknown filter shows everything rather than an empty page
    summaries = lesson_service.catalogue_summary(chosen or None)
    interface = str(get_locale() or "en")
    groups: dict[str, list] = {}
    # courses in the reader's own interface language come first, then the others by language code
    for summary in sorted(summaries, key=lambda s: s.course.language != interface):
        groups.setdefault(summary.course.language, []).append(summary)
    return render_template("main/index.html", groups=groups, languages=languages, chosen=chosen)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok"})


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["locale"] = form.language.data
    if current_user.is_authenticated:
        current_user.locale = form.language.data
        db.session.commit()
    return redirect(local_next(url_for("main.index")), code=303)
