"""Who may open a page: decorators shared by the teacher, class and review blueprints.

Anonymous visitors go to the login page (Flask-Login), students get 403 on teacher pages, and a
teacher asking for another teacher's object gets 404 from the service lookup (never a hint that it
exists).
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def teacher_required(view):
    """Teachers and admins only; students 403, anonymous users to the login page."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_teacher:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """Admins only; everyone else who is logged in 403."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role != "admin":
            abort(403)
        return view(*args, **kwargs)

    return wrapper
