"""Account settings: change the password, see the active sessions, log out everywhere."""

from __future__ import annotations

import math

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..models import utcnow
from ..services import accounts, sessions
from .auth import fresh_cookie, wait_message
from .forms import MAX_ROW_ID, ChangePasswordForm, CsrfForm

bp = Blueprint("account", __name__, url_prefix="/account")


def password_form(**kwargs) -> ChangePasswordForm:
    return ChangePasswordForm(current_user.username, current_user.display_name, **kwargs)


def settings_page(form: ChangePasswordForm, status: int = 200, headers: dict | None = None):
    now = utcnow()
    rows = [{"id": record.id, "label": record.user_agent or _("Unknown browser"),
             "started": format_timedelta(record.created_at - now, add_direction=True),
             "last_seen": format_timedelta(record.last_seen_at - now, add_direction=True),
             "current": record.id == getattr(current_user.current_session, "id", None)}
            for record in sessions.active_sessions(current_user.id)]
    return render_template("account/settings.html", form=form, sessions=rows), status, headers or {}


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

