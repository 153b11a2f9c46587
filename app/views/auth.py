"""Register, log in, log out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter
from ..services import accounts
from .forms import CsrfForm, LoginForm, RegisterForm
from .navigation import local_next

bp = Blueprint("auth", __name__)



@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.username.data, form.display_name.data, form.password.data)
        except accounts.AccountError:
            form.username.errors = [_("This username is taken. Choose another one")]
        else:
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return redirect(local_next(url_for("main.index")), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(local_next(url_for("main.index")), code=303)
        error = _("The username or password is not right. Check them and try again.")
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form, login_error=error), status


@bp.post("/logout")
@login_required
def logout():
    form = CsrfForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"), code=303)
