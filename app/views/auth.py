"""Register, log in, log out. Each login starts a new server-side session (app/services/sessions.py)."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter
from ..models import utcnow
from ..services import accounts, sessions
from .forms import CsrfForm, LoginForm, RegisterForm
from .navigation import local_next

bp = Blueprint("auth", __name__)


def _address_limit(setting: str):
    return lambda: current_app.config[setting]


def start_session(user) -> None:
    """Log `user` in with the token `accounts` just created, on a cleared cookie: nothing from before
    the login (an attacker's planted session included) carries over, except the chosen language."""
    fresh_cookie()
    login_user(user)


def fresh_cookie() -> None:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_address_limit("REGISTER_RATE_LIMIT"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_and_log_in(form.username.data, form.display_name.data, form.password.data,
                                                request.user_agent.string)
        except accounts.AccountError:
            form.username.errors = [_("This username is taken. Choose another one")]
        else:
            start_session(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return redirect(local_next(url_for("main.index")), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit("LOGIN_RATE_LIMIT"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        result = accounts.log_in(form.username.data, form.password.data, request.user_agent.string)
        if result.user is not None:
            start_session(result.user)
            return redirect(local_next(url_for("main.index")), code=303)
        if result.retry_at is not None:
            seconds = max(1, math.ceil((result.retry_at - utcnow()).total_seconds()))
            error, status, headers = wait_message(seconds), 429, {"Retry-After": str(seconds)}
        else:
            error = _("The username or password is not right. Check them and try again.")
    if form.is_submitted() and status == 200:
        status = 400
    return render_template("auth/login.html", form=form, login_error=error), status, headers


def wait_message(seconds: int) -> str:
    """Said the same way whether or not the account exists."""
    minutes = math.ceil(seconds / 60)
    return ngettext("Too many failed attempts with this username. Try again in %(num)d minute.",
                    "Too many failed attempts with this username. Try again in %(num)d minutes.", minutes)


@bp.post("/logout")
@login_required
def logout():
    form = CsrfForm()
    if form.validate_on_submit():
        sessions.end(current_user.session_token)
        logout_user()
        fresh_cookie()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"), code=303)
