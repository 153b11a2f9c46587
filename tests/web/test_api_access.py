"""Every API endpoint for every kind of caller: no token, a revoked or expired token, a student with
and without the needed scope, another student, the class's teacher and another teacher. Another
user's attempt is 404 (nobody learns it exists); a missing scope is 403; a bad token 401."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, Attempt, Response, utcnow
from app.services import attempts, classes, lessons, tokens
from tests.conftest import new_user

NONE, REVOKED, EXPIRED, FORGED = "no token", "revoked token", "expired token", "forged token"
STUDENT, STUDENT_READ_ONLY, OTHER_STUDENT = "student", "student without quiz scope", "other student"
TEACHER, TEACHER_NO_GRADEBOOK, OTHER_TEACHER = "teacher", "teacher without gradebook scope", "other teacher"
CALLERS = (NONE, REVOKED, EXPIRED, FORGED, STUDENT, STUDENT_READ_ONLY, OTHER_STUDENT, TEACHER,
           TEACHER_NO_GRADEBOOK, OTHER_TEACHER)
LESSON, QUIZ_LESSON, OWNED_QUIZ_LESSON, COURSE = "nl-l1", "nl-l3", "nl-l2", "nl-klantrelaties"


def expect(default, **special) -> dict:
    """Bad tokens always 401; `default` for every holder of a live token unless named in `special`."""
    named = {STUDENT: "student", STUDENT_READ_ONLY: "student_read_only", OTHER_STUDENT: "other_student",
             TEACHER: "teacher", TEACHER_NO_GRADEBOOK: "teacher_no_gradebook", OTHER_TEACHER: "other_teacher"}
    outcome = dict.fromkeys((NONE, REVOKED, EXPIRED, FORGED), 401)
    for caller, key in named.items():
        outcome[caller] = special.get(key, default)
    return outcome


# (method, path, body, expected status per caller); {attempt} is STUDENT's open final quiz,
# {class} TEACHER's class with STUDENT on its roster
TABLE = (
    ("GET", "/api/v1/courses", None, expect(200)),
    ("GET", f"/api/v1/courses/{COURSE}", None, expect(200)),
    ("GET", "/api/v1/courses/no-such-course", None, expect(404)),
    ("GET", f"/api/v1/lessons/{LESSON}", None, expect(200)),
    ("GET", "/api/v1/lessons/no-such-lesson", None, expect(404)),
    ("GET", "/api/v1/progress", None, expect(200)),
    ("GET", "/api/v1/attempts/{attempt}", None, expect(404, student=200, student_read_only=200)),
    ("POST", "/api/v1/attempts/{attempt}/submit", {"answers": []},
     expect(404, student=422, student_read_only=403),),
    ("POST", f"/api/v1/lessons/{OWNED_QUIZ_LESSON}/attempts", None,
     expect(201, student=200, student_read_only=403, teacher_no_gradebook=200)),
    ("GET", "/api/v1/classes/{class}/gradebook", None,
     expect(403, teacher=200, other_teacher=404)),
    ("GET", "/api/v1/classes/2147483647/gradebook", None, expect(403, teacher=404, other_teacher=404)),
)


@pytest.fixture()
def callers(app):
    """A token per caller, STUDENT's open attempt and TEACHER's class."""
    ids = {role: new_user(app, "teacher" if "teacher" in role else "student")[0]
           for role in (STUDENT, OTHER_STUDENT, TEACHER, OTHER_TEACHER)}
    ids[STUDENT_READ_ONLY], ids[TEACHER_NO_GRADEBOOK] = ids[STUDENT], ids[TEACHER]
    scopes = {STUDENT: ["read", "quiz"], STUDENT_READ_ONLY: ["read"], OTHER_STUDENT: list(tokens.SCOPES),
              TEACHER: list(tokens.SCOPES), TEACHER_NO_GRADEBOOK: ["read", "quiz"], OTHER_TEACHER: list(tokens.SCOPES)}
    with app.app_context():
        secrets = {role: tokens.create(ids[role], role, scopes[role], None).secret for role in scopes}
        revoked = tokens.create(ids[STUDENT], "revoked", list(tokens.SCOPES), None)
        assert tokens.revoke(ids[STUDENT], revoked.record.id)
        expired = tokens.create(ids[STUDENT], "expired", list(tokens.SCOPES), 7, now=utcnow() - timedelta(days=8))
        secrets[REVOKED], secrets[EXPIRED] = revoked.secret, expired.secret
        # right shape and prefix of a live token, wrong secret
        secrets[FORGED] = secrets[STUDENT][:12] + ("A" if secrets[STUDENT][12] != "A" else "B") + secrets[STUDENT][13:]
        attempt = attempts.start_final(ids[STUDENT], lessons.lesson_by_slug(OWNED_QUIZ_LESSON).id)
        group = classes.create_class(ids[TEACHER], "API class")
        assert classes.join_class(ids[STUDENT], group.join_code, "192.0.2.1").outcome == "joined"
        classes.assign_lesson(group, classes.Policy(OWNED_QUIZ_LESSON, None, None, "highest", 60, "immediately"))
        objects = {"attempt": attempt.id, "class": group.id}
    headers = {role: {"Authorization": f"Bearer {secret}"} for role, secret in secrets.items()}
    headers[NONE] = {}
    return headers, objects, ids


def counts(app, user_ids) -> tuple[int, int]:
    with app.app_context():
        found = (db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.user_id.in_(user_ids))),
                 db.session.scalar(select(func.count()).select_from(Response).join(Attempt)
                                   .where(Attempt.user_id.in_(user_ids))))
        db.session.remove()
        return found


def test_every_caller_gets_what_the_table_says(app, callers):
    headers, objects, ids = callers
    client = app.test_client()
    wrong = []
    for method, path, body, outcome in TABLE:
        for caller in CALLERS:
            response = client.open(path.format(**objects), method=method, headers=headers[caller], json=body)
            if response.status_code != outcome[caller]:
                wrong.append(f"{method} {path} as {caller}: expected {outcome[caller]}, got {response.status_code}")
            if response.status_code >= 400:
                assert response.mimetype == "application/problem+json", (path, caller)
                assert response.json["status"] == response.status_code
            if response.status_code == 401:
                assert response.headers["WWW-Authenticate"].startswith("Bearer"), (path, caller)
    assert not wrong, "\n".join(wrong)


def test_rejected_callers_write_nothing(app, callers):
    headers, objects, ids = callers
    client = app.test_client()
    everyone = list(set(ids.values()))
    before = counts(app, everyone)
    for caller in (NONE, REVOKED, EXPIRED, FORGED, STUDENT_READ_ONLY):
        assert client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers[caller]).status_code in (401, 403)
    for caller in (NONE, REVOKED, EXPIRED, FORGED, STUDENT_READ_ONLY, OTHER_STUDENT, TEACHER):
        response = client.post("/api/v1/attempts/{attempt}/submit".format(**objects), headers=headers[caller],
                               json={"answers": [{"slot": 1, "selected": [0]}], "allow_unanswered": True})
        assert response.status_code in (401, 403, 404), caller
    assert counts(app, everyone) == before  # no attempt started, nothing answered
    with app.app_context():
        assert db.session.get(Attempt, objects["attempt"]).status == "open"


def test_a_session_cookie_does_not_authenticate_the_api(app, student, client):
    # `student` is logged in on `client` with a live session cookie
    response = client.get("/api/v1/courses")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts")
    assert response.status_code == 401
    assert counts(app, [student[0]]) == (0, 0)


def test_a_teacher_sees_the_gradebook_of_the_class_with_its_student(app, callers):
    headers, objects, ids = callers
    book = app.test_client().get("/api/v1/classes/{class}/gradebook".format(**objects), headers=headers[TEACHER]).json
    assert book["name"] == "API class"
    assert [a["lesson"] for a in book["assignments"]] == [OWNED_QUIZ_LESSON]
    assert [s["id"] for s in book["students"]] == [ids[STUDENT]]
    cell = book["students"][0]["cells"][0]
    assert cell == {"assignment": book["assignments"][0]["id"], "status": "in_progress", "late": False,
                    "percent": None, "submitted": 0, "reset": 0}


def test_last_use_of_a_token_is_recorded(app, callers):
    headers, _objects, ids = callers
    assert app.test_client().get("/api/v1/courses", headers=headers[OTHER_TEACHER]).status_code == 200
    with app.app_context():
        used = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == ids[OTHER_TEACHER]))
        db.session.remove()
    assert used is not None and utcnow() - used < timedelta(minutes=1)
