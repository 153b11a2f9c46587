"""Roles and ownership: the admin's account list and role changes, course owners and co-editors,
and the command line (`flask users create-teacher|create-admin`, `flask courses add-owner`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CourseMember, User
from app.services import accounts, authoring, content_store
from tests.support import csrf_token, login

from ..conftest import PASSWORD
from . import test_teach_quiz_editor as editor
from .test_teach_quiz_editor import post

world = editor.world


def role_of(app, username: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.role).where(User.username == username))


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def make_user(app, name: str, role: str = "student") -> int:
    with app.app_context():
        return accounts.register(name, name, PASSWORD, role).id


# --- accounts and roles ------------------------------------------------------------------------

def test_the_account_list_is_searchable_and_paged(world):
    for n in range(27):
        make_user(world, f"pupil-{n:02d}")
    admin = world.clients["admin"]
    first = admin.get("/admin/users?q=PUPIL").get_data(as_text=True)
    assert "27 accounts" in first and "Page 1 of 2" in first
    assert first.count('<th scope="row">pupil-') == 25
    second = admin.get("/admin/users?q=pupil&page=2").get_data(as_text=True)
    assert [f"pupil-{n}" for n in (25, 26)] == [name for name in ("pupil-25", "pupil-26") if name in second]
    assert "pupil-24" not in second
    assert "0 accounts" in admin.get("/admin/users?q=%25").get_data(as_text=True)  # LIKE wildcards are literal
    assert admin.get("/admin/users?page=-5&q=" + "x" * 500).status_code == 200


def test_only_admins_see_the_account_list(world):
    assert world.clients["owner"].get("/admin/users").status_code == 403
    assert world.clients["student"].get("/admin/users").status_code == 403
    assert world.test_client().get("/admin/users").headers["Location"].startswith("/login")


def test_an_admin_makes_a_student_a_teacher(world):
    target = make_user(world, "becomes-teacher")
    response = post(world.clients["admin"], f"/admin/users/{target}/role", {"role": "teacher"})
    assert response.status_code == 303
    assert role_of(world, "becomes-teacher") == "teacher"


def test_a_bad_role_change_is_a_4xx_and_changes_nothing(world):
    target = make_user(world, "stays-student")
    admin = world.clients["admin"]
    assert post(admin, f"/admin/users/{target}/role", {"role": "superuser"}).status_code == 400
    assert post(admin, "/admin/users/99999999/role", {"role": "teacher"}).status_code == 404
    assert admin.post(f"/admin/users/{target}/role", data={"role": "admin"}).status_code == 400  # no CSRF token
    token = csrf_token(world.clients["owner"], "/teach/")
    assert world.clients["owner"].post(f"/admin/users/{target}/role",
                                       data={"role": "admin", "csrf_token": token}).status_code == 403
    assert role_of(world, "stays-student") == "student"


def test_the_last_admin_cannot_be_demoted(world):
    admin = world.clients["admin"]
    with world.app_context():
        others = list(db.session.scalars(select(User.id).where(User.role == "admin",
                                                                User.id != world.user_ids["admin"])))
    for other in others:  # leave exactly one admin
        assert post(admin, f"/admin/users/{other}/role", {"role": "teacher"}).status_code == 303
    response = post(admin, f"/admin/users/{world.user_ids['admin']}/role", {"role": "teacher"})
    assert response.status_code == 409
    assert "This is the last admin" in response.get_data(as_text=True)
    assert role_of(world, "t-admin") == "admin"


def test_a_teacher_made_student_loses_their_courses(world):
    make_user(world, "short-lived", "teacher")
    with world.app_context():
        authoring.add_member("demo", "short-lived", "editor")
    client = world.test_client()
    assert login(client, "short-lived", PASSWORD).status_code == 303
    assert client.get("/teach/courses/demo/").status_code == 200
    assert post(world.clients["admin"], f"/admin/users/{user_id(world, 'short-lived')}/role",
                {"role": "student"}).status_code == 303
    assert client.get("/teach/courses/demo/").status_code == 403
    with world.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseMember)
                                 .where(CourseMember.user_id == user_id(world, "short-lived"))) == 0


# --- owners and co-editors ---------------------------------------------------------------------

def test_an_owner_adds_a_co_editor_who_can_then_edit(world):
    make_user(world, "new-colleague", "teacher")
    client = world.test_client()
    assert login(client, "new-colleague", PASSWORD).status_code == 303
    assert client.get("/teach/lessons/demo-l1/questions").status_code == 404
    response = post(world.clients["owner"], "/teach/courses/demo/members",
                    {"username": "New-Colleague", "role": "editor"})
    assert response.status_code == 303
    assert client.get("/teach/lessons/demo-l1/questions").status_code == 200
    assert client.get("/teach/lessons/other-l1/questions").status_code == 404


@pytest.mark.parametrize(("username", "message"), [
    ("t-student", "Only teachers can edit a course"),
    ("nobody-here", "There is no account with this username"),
    ("", "Enter a username"),
])
def test_only_existing_teachers_can_be_added_to_a_course(world, username, message):
    with world.app_context():
        before = db.session.scalar(select(func.count()).select_from(CourseMember))
    response = post(world.clients["owner"], "/teach/courses/demo/members", {"username": username, "role": "editor"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with world.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseMember)) == before


def test_a_co_editor_cannot_change_who_edits_the_course(world):
    response = post(world.clients["editor"], "/teach/courses/demo/members", {"username": "t-stranger", "role": "owner"})
    assert response.status_code == 403
    assert post(world.clients["stranger"], "/teach/courses/demo/members",
                {"username": "t-stranger", "role": "owner"}).status_code == 404


def test_the_only_owner_cannot_leave_the_course_ownerless(world):
    owner_id = world.user_ids["owner"]
    response = post(world.clients["owner"], f"/teach/courses/demo/members/{owner_id}/remove")
    assert response.status_code == 409
    assert "A course keeps at least one owner" in response.get_data(as_text=True)
    with world.app_context():
        assert authoring.owner_count(db.session.scalar(select(CourseMember.course_id)
                                                       .where(CourseMember.user_id == owner_id))) == 1


# --- command line ------------------------------------------------------------------------------

def cli(app, *args, stdin=""):
    return app.test_cli_runner().invoke(args=list(args), input=stdin)


def test_create_teacher_and_admin_read_the_password_from_standard_input(world):
    made = cli(world, "users", "create-teacher", "Kovács.Anna", "--name", "Anna Kovács",
               stdin="tulp-fiets-zeven-regen\n")
    assert made.exit_code == 0, made.output
    assert "created teacher kovács.anna" in made.output
    assert role_of(world, "kovács.anna") == "teacher"
    client = world.test_client()
    assert login(client, "kovács.anna", "tulp-fiets-zeven-regen").status_code == 303
    admin = cli(world, "users", "create-admin", "head-teacher", stdin="purple rabbit eats seven cakes\n")
    assert admin.exit_code == 0 and role_of(world, "head-teacher") == "admin"


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("users", "create-teacher", "weak-pass"), "password12\n", "password rejected"),
    (("users", "create-teacher", "ab"), "tulp-fiets-zeven-regen\n", "username rejected"),
    (("users", "create-admin", "t-owner"), "tulp-fiets-zeven-regen\n", "username: taken"),
    (("courses", "add-owner", "demo", "t-student"), "", "only teachers and admins can hold a course"),
    (("courses", "add-owner", "no-such-course", "t-owner"), "", "no such course"),
    (("courses", "add-owner", "demo", "nobody-at-all"), "", "no such user"),
])
def test_the_commands_refuse_bad_input_with_a_reason_and_exit_1(world, args, stdin, message):
    result = cli(world, *args, stdin=stdin)
    assert result.exit_code == 1 and message in result.output
    assert role_of(world, "weak-pass") is None and role_of(world, "ab") is None


def test_add_owner_gives_a_course_to_a_teacher(world):
    make_user(world, "cli-owner", "teacher")
    result = cli(world, "courses", "add-owner", "other", "cli-owner")
    assert result.exit_code == 0 and "cli-owner is now owner of other" in result.output
    client = world.test_client()
    assert login(client, "cli-owner", PASSWORD).status_code == 303
    assert client.get("/teach/courses/other/").status_code == 200


def test_a_course_that_arrives_has_no_owner_until_an_admin_assigns_one(world):
    """Like every course after `flask content sync`: admins only, no teacher, until assigned."""
    with world.app_context():
        saved = content_store.save_revision("lessons/third/course.md",
                                            "---\nid: third\ntitle: Derde\nlanguage: nl\n---\n",
                                            author_id=None, message="new course", origin="file")
        assert saved.ok, saved.problems
        assert "third" in {c.slug for c in authoring.ownerless_courses()}
    assert world.clients["owner"].get("/teach/courses/third/").status_code == 404
    admin_page = world.clients["admin"].get("/teach/").get_data(as_text=True)
    assert "/teach/courses/third/" in admin_page and "No owner yet" in admin_page
    assert post(world.clients["admin"], "/teach/courses/third/members",
                {"username": "t-owner", "role": "owner"}).status_code == 303
    assert world.clients["owner"].get("/teach/courses/third/").status_code == 200
    with world.app_context():
        assert "third" not in {c.slug for c in authoring.ownerless_courses()}
