"""Admin pages: every account, searchable and paged, and its role (the last admin stays admin)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..services import authoring
from .access import admin_required
from .teach_forms import RoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_ERRORS = {"last_admin": _l("This is the last admin: make another account admin first"),
               "unknown_role": _l("Choose a role")}
ROLE_NAMES = {"student": _l("Student"), "teacher": _l("Teacher"), "admin": _l("Admin")}


@bp.get("/users")
@admin_required
def users():
    return users_page()


def users_page(status: int = 200, error: str | None = None):
    search = request.args.get("q", "")[:80]
    page = request.args.get("page", 1, type=int) or 1
    listing = authoring.list_users(search, page)
    return render_template("teach/users.html", listing=listing, search=search, role_names=ROLE_NAMES,
                           error=error), status


@bp.post("/users/<int:user_id>/role")
@admin_required
def set_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        return users_page(400, _("Choose a role"))
    try:
        user = authoring.set_role(user_id, form.role.data)
    except authoring.AuthoringError as exc:
        if exc.reason == "unknown_user":
            abort(404)
        return users_page(409, str(ROLE_ERRORS.get(exc.reason, exc.reason)))
    flash(_("%(name)s is now: %(role)s.", name=user.username, role=ROLE_NAMES[user.role]), "success")
    return redirect(url_for("admin.users", q=request.args.get("q", ""), page=request.args.get("page", 1)), 303)
