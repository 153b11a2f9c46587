"""Account settings: change the password, see the active sessions, log out everywhere, and make or
revoke personal access tokens for the JSON API."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..models import utcnow
from ..services import accounts, sessions, tokens
from .auth import fresh_cookie, wait_message
from .forms import MAX_ROW_ID, ChangePasswordForm, CsrfForm

bp = Blueprint("account", __name__, url_prefix="/account")
JUST_NOW = timedelta(minutes=1)  # last_seen_at is written once a minute: finer times are noise


def password_form(**kwargs) -> ChangePasswordForm:
    return ChangePasswordForm(current_user.username, current_user.display_name, **kwargs)


SCOPE_LABELS = {"read": _l("Read courses, lessons, your progress and your quiz results"),
                "quiz": _l("Start and hand in final quizzes"),
                "gradebook": _l("Read the gradebooks of your classes")}


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token"), description=_l("What it is for, e.g. the name of the app using it"),
                       validators=[DataRequired(_l("Enter a name")),
                                   Length(max=80, message=_l("Name must be at most 80 characters long"))])
    scopes = SelectMultipleField(_l("What it may do"), choices=[SelectChoice(k, v) for k, v in SCOPE_LABELS.items()],
                                 validators=[DataRequired(_l("Choose at least one permission"))])
    expires = SelectField(_l("Valid for"), default="90",
                          choices=[SelectChoice("7", _l("7 days")), SelectChoice("30", _l("30 days")),
                                   SelectChoice("90", _l("90 days")), SelectChoice("365", _l("1 year")),
                                   SelectChoice("never", _l("No expiry"))])


def token_form(**kwargs) -> TokenForm:
    form = TokenForm(**kwargs)
    if not current_user.is_teacher:  # only teachers have gradebooks
        form.scopes.choices = [c for c in form.scopes.choices if c.value != "gradebook"]
    return form


def relative(moment: datetime, now: datetime) -> str:
    """'3 hours ago', 'in 5 days'; the last minute is 'just now', never 'in 0 seconds'."""
    if -timedelta(seconds=1) < now - moment < JUST_NOW:
        return _("just now")
    return format_timedelta(moment - now, add_direction=True)


def settings_page(form: ChangePasswordForm, status: int = 200, headers: dict | None = None,
                  new_token: str | None = None, tokens_form: TokenForm | None = None):
    now = utcnow()
    token_rows = [{"id": t.id, "name": t.name, "prefix": t.prefix, "scopes": [SCOPE_LABELS[x] for x in t.scopes.split()],
                   "created": relative(t.created_at, now),
                   "expires": relative(t.expires_at, now) if t.expires_at else None,
                   "last_used": relative(t.last_used_at, now) if t.last_used_at else None}
                  for t in tokens.live_tokens(current_user.id, now)]
    current_id = getattr(current_user.current_session, "id", None)
    rows = [{"id": record.id, "label": record.user_agent or _("Unknown browser"),
             "started": relative(record.created_at, now), "last_seen": relative(record.last_seen_at, now),
             "current": record.id == current_id}
            for record in sessions.active_sessions(current_user.id)]
    rows.sort(key=lambda row: not row["current"])  # this device first, then the most recently active
    return render_template("account/settings.html", form=form, sessions=rows, api_tokens=token_rows,
                           token_form=tokens_form or token_form(), new_token=new_token), status, headers or {}


@bp.get("/")
@login_required
def settings():
    return settings_page(password_form())


@bp.post("/password")
@login_required
def change_password():
    form = password_form()
    if not form.validate_on_submit():
        return settings_page(form, 400)
    result = accounts.change_password(current_user._get_current_object(), form.current_password.data,
                                      form.new_password.data)
    if result.retry_at is not None:
        seconds = max(1, math.ceil((result.retry_at - utcnow()).total_seconds()))
        form.current_password.errors = [wait_message(seconds)]
        return settings_page(form, 429, {"Retry-After": str(seconds)})
    if result.user is None:
        form.current_password.errors = [_("Your current password is not right. Check it and try again.")]
        return settings_page(form, 400)
    flash(_("Your password is changed. You are logged out on every other device."), "success")
    return redirect(url_for("account.settings"), code=303)


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """Log out one other device (ending this device's own session is the normal logout)."""
    if not 1 <= session_id <= MAX_ROW_ID or session_id == getattr(current_user.current_session, "id", None):
        abort(404)
    if not sessions.end_one(current_user.id, session_id):
        abort(404)  # not a live session of this user: nobody learns whether it exists
    flash(_("That device is logged out."), "info")
    return redirect(url_for("account.settings"), code=303)


@bp.post("/log-out-everywhere")
@login_required
def log_out_everywhere():
    if not CsrfForm().validate_on_submit():
        return redirect(url_for("account.settings"), code=303)
    sessions.end_everywhere(current_user.id)
    logout_user()
    fresh_cookie()
    flash(_("You are logged out on every device, this one included."), "info")
    return redirect(url_for("auth.login"), code=303)



@bp.post("/tokens")
@login_required
def create_token():
    """A new personal access token, shown on this one answer only (never stored, never in a cookie)."""
    form = token_form()
    if not form.validate_on_submit():
        return settings_page(password_form(), 400, tokens_form=form)
    days = None if form.expires.data == "never" else int(form.expires.data)
    try:
        made = tokens.create(current_user.id, form.name.data, form.scopes.data, days)
    except tokens.TokenError:
        form.name.errors = [_("You have too many tokens. Revoke one you no longer use first.")]
        return settings_page(password_form(), 400, tokens_form=form)
    return settings_page(password_form(), new_token=made.secret)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if not 1 <= token_id <= MAX_ROW_ID or not tokens.revoke(current_user.id, token_id):
        abort(404)  # not a live token of this user
    flash(_("The token is revoked: it no longer works."), "info")
    return redirect(url_for("account.settings"), code=303)
