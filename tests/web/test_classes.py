"""Classes: join codes, joining (throttled), roster, co-teachers, archiving, assignments with their
policy, and who may see what. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assignment, ClassGroup, ClassStudent, ClassTeacher, LoginThrottle, utcnow
from app.services import classes as class_service
from tests.conftest import PASSWORD, new_user

from ..support import csrf_token, login

CODE_ON_PAGE = re.compile(r'<p class="join-code"><code>([A-Z0-9]{4}-[A-Z0-9]{4})</code>')


def logged_in(app, role="student"):
    user_id, name = new_user(app, role)
    client = app.test_client()
    assert login(client, name, PASSWORD).status_code == 303
    return client, user_id, name


def create_class(client, name="2A Marketing") -> int:
    token = csrf_token(client, "/classes/")
    response = client.post("/classes/", data={"csrf_token": token, "name": name})
    assert response.status_code == 303
    return int(re.search(r"/classes/(\d+)/", response.headers["Location"]).group(1))


def code_of(client, class_id: int) -> str:
    page = client.get(f"/classes/{class_id}/").get_data(as_text=True)
    return CODE_ON_PAGE.search(page).group(1)


def join(client, code: str):
    token = csrf_token(client, "/dashboard")
    return client.post("/dashboard/join", data={"csrf_token": token, "code": code})


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def post(client, path: str, data: dict | None = None, token_page: str = "/dashboard"):  # noqa: S107 (a page, not a password)
    return client.post(path, data={"csrf_token": csrf_token(client, token_page), **(data or {})})


@pytest.fixture()
def teacher(app):
    return logged_in(app, "teacher")


# --- join codes ------------------------------------------------------------------------------------

def test_a_join_code_has_eight_characters_without_look_alikes(app):
    with app.app_context():
        codes = {class_service.new_code() for _ in range(200)}
    assert all(len(code) == 8 for code in codes)
    assert not set("".join(codes)) & set("0O1IL")
    assert len(codes) == 200  # random, not a counter


def test_a_code_is_normalised_from_what_a_student_types():
    assert class_service.normalise_code(" abcd-efgh ") == "ABCDEFGH"
    assert class_service.normalise_code("AB CD EF GH") == "ABCDEFGH"
    assert class_service.format_code("ABCDEFGH") == "ABCD-EFGH"


def test_a_teacher_creates_a_class_and_sees_its_code(app, teacher):
    client, teacher_id, _ = teacher
    class_id = create_class(client, "3B Sales")
    page = client.get(f"/classes/{class_id}/").get_data(as_text=True)
    assert "3B Sales" in page
    code = code_of(client, class_id)
    with app.app_context():
        group = db.session.get(ClassGroup, class_id)
        assert group.join_code == code.replace("-", "")  # stored normalised
        assert db.session.scalar(select(ClassTeacher.role).where(ClassTeacher.class_id == class_id,
                                                                 ClassTeacher.user_id == teacher_id)) == "owner"


def test_creating_a_class_without_a_name_is_a_400_and_writes_nothing(app, teacher):
    client, teacher_id, _ = teacher
    before = count(app, ClassGroup)
    response = post(client, "/classes/", {"name": "   "}, "/classes/")
    assert response.status_code == 400
    assert "Enter a name for the class" in response.get_data(as_text=True)
    response = post(client, "/classes/", {"name": "x" * 121}, "/classes/")
    assert response.status_code == 400
    assert count(app, ClassGroup) == before


# --- joining ---------------------------------------------------------------------------------------

def test_a_student_joins_with_the_code_as_typed_and_joining_twice_is_harmless(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    code = code_of(client, class_id)
    student, student_id, _ = logged_in(app)
    response = join(student, code.lower().replace("-", " "))
    assert response.status_code == 303
    assert "2A Marketing" in student.get("/dashboard").get_data(as_text=True)
    again = join(student, code)
    assert again.status_code == 303
    assert "already" in student.get("/dashboard").get_data(as_text=True)
    assert count(app, ClassStudent, ClassStudent.class_id == class_id, ClassStudent.user_id == student_id) == 1
    assert "2A Marketing" in client.get(f"/classes/{class_id}/").get_data(as_text=True)


def test_a_wrong_code_gets_a_clear_message_and_writes_no_membership(app):
    student, student_id, _ = logged_in(app)
    response = join(student, "ZZZZ-ZZZZ")
    assert response.status_code == 400
    assert "No class has this code" in response.get_data(as_text=True)
    assert count(app, ClassStudent, ClassStudent.user_id == student_id) == 0


def test_from_the_fifth_wrong_code_the_account_waits_even_with_the_right_code(app, teacher):
    client, _, _ = teacher
    code = code_of(client, create_class(client))
    student, student_id, _ = logged_in(app)
    statuses = [join(student, f"WRNG-CD{n}{n}").status_code for n in range(2, 7)]
    assert statuses == [400, 400, 400, 400, 400]
    blocked = join(student, code)
    assert blocked.status_code == 429
    assert "Too many wrong codes" in blocked.get_data(as_text=True)
    assert count(app, ClassStudent, ClassStudent.user_id == student_id) == 0
    # another account behind the same address still joins: the address allows a whole class
    classmate, classmate_id, _ = logged_in(app)
    assert join(classmate, code).status_code == 303
    assert count(app, ClassStudent, ClassStudent.user_id == classmate_id) == 1


def test_wrong_codes_from_one_address_are_throttled_across_accounts(app):
    now = utcnow()
    with app.app_context():
        user_ids = [new_user(app)[0] for _ in range(7)]
        outcomes = []
        for attempt in range(35):  # 5 per account, all from one address
            user_id = user_ids[attempt // 5]
            outcomes.append(class_service.join_class(user_id, "NOPE-NOPE", "198.51.100.7", now).outcome)
        assert outcomes[:30] == ["wrong"] * 30
        assert set(outcomes[30:]) == {"throttled"}
        # the lock ends: an hour later the address may try again
        assert class_service.join_class(user_ids[-1], "NOPE-NOPE", "198.51.100.7",
                                        now + timedelta(hours=1)).outcome == "wrong"
        db.session.execute(LoginThrottle.__table__.delete())
        db.session.commit()


def test_a_closed_code_says_so_and_a_new_code_replaces_the_old(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    old = code_of(client, class_id)
    assert post(client, f"/classes/{class_id}/code", {"action": "close"}).status_code == 303
    student, student_id, _ = logged_in(app)
    closed = join(student, old)
    assert closed.status_code == 409
    assert "no longer takes new students" in closed.get_data(as_text=True)
    assert post(client, f"/classes/{class_id}/code", {"action": "regenerate"}).status_code == 303
    new = code_of(client, class_id)
    assert new != old
    assert join(student, old).status_code == 400
    assert join(student, new).status_code == 303
    assert count(app, ClassStudent, ClassStudent.user_id == student_id) == 1


def test_an_unknown_code_action_is_a_400(teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    assert post(client, f"/classes/{class_id}/code", {"action": "explode"}).status_code == 400


# --- roster, co-teachers, archive ------------------------------------------------------------------

def test_removing_a_student_needs_the_csrf_token_and_takes_them_off_the_roster(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    student, student_id, _ = logged_in(app)
    join(student, code_of(client, class_id))
    assert client.post(f"/classes/{class_id}/students/{student_id}/remove").status_code == 400
    assert count(app, ClassStudent, ClassStudent.class_id == class_id) == 1
    assert post(client, f"/classes/{class_id}/students/{student_id}/remove").status_code == 303
    assert count(app, ClassStudent, ClassStudent.class_id == class_id) == 0
    assert post(client, f"/classes/{class_id}/students/{student_id}/remove").status_code == 404


def test_a_co_teacher_added_by_username_sees_and_runs_the_class(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    colleague, colleague_id, colleague_name = logged_in(app, "teacher")
    assert colleague.get(f"/classes/{class_id}/").status_code == 404
    token = csrf_token(client, f"/classes/{class_id}/")
    added = client.post(f"/classes/{class_id}/teachers", data={"csrf_token": token, "teacher-username": colleague_name.upper()})
    assert added.status_code == 303
    assert colleague.get(f"/classes/{class_id}/").status_code == 200
    assert colleague.get(f"/classes/{class_id}/gradebook").status_code == 200
    assert post(client, f"/classes/{class_id}/teachers/{colleague_id}/remove").status_code == 303
    assert colleague.get(f"/classes/{class_id}/").status_code == 404


@pytest.mark.parametrize("username, message", [("", "Enter a username"),
                                                ("nobody-here", "There is no account with this username")])
def test_adding_an_unknown_co_teacher_is_a_400_next_to_the_field(app, teacher, username, message):
    client, _, _ = teacher
    class_id = create_class(client)
    token = csrf_token(client, f"/classes/{class_id}/")
    response = client.post(f"/classes/{class_id}/teachers", data={"csrf_token": token, "teacher-username": username})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, ClassTeacher, ClassTeacher.class_id == class_id) == 1


def test_a_student_cannot_be_a_co_teacher(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    _, _, student_name = logged_in(app)
    token = csrf_token(client, f"/classes/{class_id}/")
    response = client.post(f"/classes/{class_id}/teachers", data={"csrf_token": token, "teacher-username": student_name})
    assert response.status_code == 400
    assert "Only teachers can teach a class" in response.get_data(as_text=True)


def test_an_archived_class_is_read_only_hidden_from_students_and_still_exportable(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client, "Archive me")
    code = code_of(client, class_id)
    student, _, _ = logged_in(app)
    join(student, code)
    assert "Archive me" in student.get("/dashboard").get_data(as_text=True)
    assert post(client, f"/classes/{class_id}/archive", {"archived": "1"}).status_code == 303
    assert "Archive me" not in student.get("/dashboard").get_data(as_text=True)
    latecomer, latecomer_id, _ = logged_in(app)
    assert join(latecomer, code).status_code == 409
    refused = post(client, f"/classes/{class_id}/code", {"action": "regenerate"})
    assert refused.status_code == 303
    assert code_of(client, class_id) == code  # unchanged
    assert client.get(f"/classes/{class_id}/export/gradebook.csv").status_code == 200
    assert client.get(f"/classes/{class_id}/gradebook").status_code == 200
    assert post(client, f"/classes/{class_id}/archive", {"archived": "1", "extra": "x"}).status_code == 303
    assert post(client, f"/classes/{class_id}/archive", {"archived": "maybe"}).status_code == 400


# --- who may see what ------------------------------------------------------------------------------

TEACHER_PAGES = ["/classes/{id}/", "/classes/{id}/gradebook", "/classes/{id}/mastery",
                 "/classes/{id}/assignments/new", "/classes/{id}/export/gradebook.csv",
                 "/classes/{id}/export/responses.csv"]


def test_another_teachers_class_is_a_404_and_a_student_gets_403_on_every_class_page(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    other_teacher, _, _ = logged_in(app, "teacher")
    student, _, _ = logged_in(app)
    join(student, code_of(client, class_id))
    for page in TEACHER_PAGES:
        path = page.format(id=class_id)
        assert client.get(path).status_code == 200, path
        assert other_teacher.get(path).status_code == 404, path
        assert student.get(path).status_code == 403, path
    assert student.get("/classes/").status_code == 403


def test_a_teacher_list_shows_only_their_own_classes(app, teacher):
    client, _, _ = teacher
    create_class(client, "Mine only")
    other_teacher, _, _ = logged_in(app, "teacher")
    assert "Mine only" in client.get("/classes/").get_data(as_text=True)
    assert "Mine only" not in other_teacher.get("/classes/").get_data(as_text=True)


# --- assignments -----------------------------------------------------------------------------------

ASSIGNMENT = {"lesson": "nl-l1", "due_at": "2031-06-01T12:00", "attempts_mode": "n", "attempts": "3",
              "counting": "average", "pass_mark": "70", "key_reveal": "after_due"}


def assign(client, class_id, **changes):
    page = f"/classes/{class_id}/assignments/new"
    return client.post(page, data={"csrf_token": csrf_token(client, page), **ASSIGNMENT, **changes})


def test_a_lesson_is_assigned_with_its_policy(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    assert assign(client, class_id).status_code == 303
    with app.app_context():
        a = db.session.scalar(select(Assignment).where(Assignment.class_id == class_id))
        assert (a.attempts_allowed, a.counting, a.pass_mark, a.key_reveal) == (3, "average", 70, "after_due")
        assert a.due_at.isoformat() == "2031-06-01T10:00:00"  # 12:00 in Amsterdam (summer time) is 10:00 UTC
    page = client.get(f"/classes/{class_id}/").get_data(as_text=True)
    assert "Average of all attempts" in page and "After the due date" in page


@pytest.mark.parametrize("changes, message", [
    ({"lesson": ""}, "Choose a lesson"),
    ({"lesson": "no-such-lesson"}, "Not a valid choice"),
    ({"attempts_mode": "n", "attempts": "0"}, "Enter a number of attempts from 1 to 100"),
    ({"attempts_mode": "n", "attempts": "lots"}, "Enter a number of attempts from 1 to 100"),
    ({"attempts_mode": "twice"}, "Not a valid choice"),
    ({"counting": "best-of-three"}, "Not a valid choice"),
    ({"pass_mark": "101"}, "Enter a pass mark from 0 to 100"),
    ({"pass_mark": ""}, "Enter a pass mark from 0 to 100"),
    ({"key_reveal": "after_due", "due_at": ""}, "needs a due date"),
    ({"due_at": "next tuesday"}, "Not a valid datetime value"),
    ({"key_reveal": ""}, "Choose when students see the correct answers"),
])
def test_a_bad_assignment_form_is_a_400_with_the_reason_and_writes_nothing(app, teacher, changes, message):
    client, _, _ = teacher
    class_id = create_class(client)
    response = assign(client, class_id, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Assignment, Assignment.class_id == class_id) == 0


def test_assigning_a_lesson_twice_is_refused(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    assert assign(client, class_id).status_code == 303
    second = assign(client, class_id)
    assert second.status_code == 400
    assert "already assigned" in second.get_data(as_text=True)
    assert count(app, Assignment, Assignment.class_id == class_id) == 1


def test_an_assignment_is_changed_and_removed(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    assign(client, class_id)
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.class_id == class_id))
    edit = f"/classes/{class_id}/assignments/{assignment_id}/edit"
    assert 'value="70"' in client.get(edit).get_data(as_text=True)
    changed = client.post(edit, data={"csrf_token": csrf_token(client, edit), **ASSIGNMENT,
                                      "attempts_mode": "unlimited", "pass_mark": "55", "key_reveal": "never"})
    assert changed.status_code == 303
    with app.app_context():
        a = db.session.get(Assignment, assignment_id)
        assert (a.attempts_allowed, a.pass_mark, a.key_reveal) == (None, 55, "never")
    bad = client.post(edit, data={"csrf_token": csrf_token(client, edit), **ASSIGNMENT, "pass_mark": "-5"})
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).pass_mark == 55
    assert post(client, f"/classes/{class_id}/assignments/{assignment_id}/remove").status_code == 303
    assert count(app, Assignment, Assignment.class_id == class_id) == 0
    assert client.get(edit).status_code == 404


def test_students_see_their_assignments_and_a_student_of_another_class_does_not(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    assign(client, class_id, due_at="2031-06-01T12:00")
    student, _, _ = logged_in(app)
    join(student, code_of(client, class_id))
    other_class = create_class(client, "Another class")
    outsider, _, _ = logged_in(app)
    join(outsider, code_of(client, other_class))
    mine = student.get("/dashboard").get_data(as_text=True)
    assert "/lessons/nl-l1/" in mine and "Not started" in mine
    theirs = outsider.get("/dashboard").get_data(as_text=True)
    assert "/lessons/nl-l1/" not in theirs and "No assignments yet." in theirs


def test_an_overdue_assignment_without_an_attempt_is_late_on_the_dashboard(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    assign(client, class_id, due_at="2020-01-01T08:00", key_reveal="immediately")
    student, _, _ = logged_in(app)
    join(student, code_of(client, class_id))
    page = student.get("/dashboard").get_data(as_text=True)
    assert "⚠</span> Late" in page


# --- malformed input on every class form -----------------------------------------------------------

NASTY = ["", " ", "\x00", "a\x00b", "\u202eevil", "😀", "x" * 10_000, "-1", "2147483648", "NaN", "inf", "1e3",
         "<script>alert(1)</script>", "' OR '1'='1", "{{7*7}}", "%s%n", "//evil.example", "\r\n", "０", "²"]


def class_rows(app) -> tuple[int, ...]:
    from app.models import CourseSettings
    return tuple(count(app, model) for model in (ClassGroup, ClassTeacher, ClassStudent, Assignment, CourseSettings))


def test_malformed_values_in_every_class_form_get_a_4xx_and_write_nothing(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    assert assign(client, class_id, lesson="nl-l3").status_code == 303
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.class_id == class_id))
    student, _, _ = logged_in(app)
    forms = [
        (client, "/classes/", {"name": "ok"}, ["name"]),
        (client, f"/classes/{class_id}/code", {"action": "close"}, ["action"]),
        (client, f"/classes/{class_id}/archive", {"archived": "1"}, ["archived"]),
        (client, f"/classes/{class_id}/teachers", {"teacher-username": "x"}, ["teacher-username"]),
        (client, f"/classes/{class_id}/assignments/new", {**ASSIGNMENT, "lesson": "nl-l3"}, list(ASSIGNMENT)),
        (client, f"/classes/{class_id}/assignments/{assignment_id}/edit", ASSIGNMENT,
         [k for k in ASSIGNMENT if k != "lesson"]),
        (client, "/classes/courses/nl-klantrelaties/mastery", {"method": "latest", "decay_weight": "0.5",
                                                               "n_correct": "3"}, ["method", "decay_weight"]),
        (student, "/dashboard/join", {"code": "ABCD-EFGH"}, ["code"]),
    ]
    token = {client: csrf_token(client, "/classes/"), student: csrf_token(student, "/dashboard")}
    before, accepted = class_rows(app), []
    for who, path, valid, fields in forms:
        for field in fields:
            for value in NASTY:
                if field == "name" and value.strip() and len(value) <= 120 and "\x00" not in value:
                    continue  # a fine class name: creating it is the normal answer
                response = who.post(path, data={**valid, field: value, "csrf_token": token[who]})
                assert response.status_code < 500, (path, field, value)
                if response.status_code < 400:
                    accepted.append((path, field, value))
    # only an edit may succeed with a valid variant (a full-width ０ is a number); a new assignment
    # of an assigned lesson, a wrong code or a spoilt action never is
    assert {path for path, _, _ in accepted} <= {f"/classes/{class_id}/assignments/{assignment_id}/edit"}, accepted
    # nothing changed that a refused request could have written (the course editor form is a 404)
    assert class_rows(app) == before
    for sort in NASTY:
        # a NUL in a query string is refused site-wide; any other sort falls back to the name order
        expected = 400 if "\x00" in sort else 200
        assert client.get(f"/classes/{class_id}/gradebook", query_string={"sort": sort}).status_code == expected
