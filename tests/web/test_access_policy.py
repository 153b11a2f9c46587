"""Every endpoint of the URL map, as every kind of visitor, against the table in `policy.py`."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app.services import classes
from tests.conftest import PASSWORD, new_user

from ..support import csrf_token, login
from . import policy
from .policy import LOGIN, POLICY, REDIRECT, ROLES

IGNORED_METHODS = {"HEAD", "OPTIONS"}  # answered by Flask itself for every GET route
USER_ROLES = {policy.STUDENT: "student", policy.OTHER_STUDENT: "student", policy.TEACHER: "teacher",
              policy.OTHER_TEACHER: "teacher", policy.ADMIN: "admin"}


def routed_endpoints(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - IGNORED_METHODS}


def test_every_endpoint_and_method_of_the_url_map_has_a_policy_row(app):
    missing = routed_endpoints(app) - {(row.endpoint, row.method) for row in POLICY}
    assert not missing, f"add rows to tests/web/policy.py for: {sorted(missing)}"


def test_every_policy_row_names_a_routed_endpoint_and_every_role(app):
    routed = routed_endpoints(app)
    stale = [(row.endpoint, row.method) for row in POLICY if (row.endpoint, row.method) not in routed]
    assert not stale, f"rows for endpoints that do not exist: {stale}"
    assert all(set(row.outcomes) == set(ROLES) for row in POLICY)


@pytest.fixture()
def visitors(app):
    """A client per role (fresh users), and the objects they own: STUDENT's final-quiz attempt."""
    users, user_ids = {policy.ANONYMOUS: None}, {}
    clients = {policy.ANONYMOUS: app.test_client()}
    for role, kind in USER_ROLES.items():
        user_ids[role], name = new_user(app, kind)
        users[role] = name
        clients[role] = app.test_client()
        assert login(clients[role], name, PASSWORD).status_code == 303, role
    student = clients[policy.STUDENT]
    token = csrf_token(student, f"/lessons/{policy.OWNED_QUIZ_LESSON}/quiz")
    started = student.post(f"/lessons/{policy.OWNED_QUIZ_LESSON}/quiz/new", data={"csrf_token": token})
    assert started.status_code == 303
    attempt_id = int(urlsplit(started.headers["Location"]).path.rsplit("/", 1)[1])
    return users, clients, {"attempt": attempt_id, **teachers_class(app, user_ids)}


def teachers_class(app, user_ids: dict) -> dict:
    """TEACHER's class with STUDENT on its roster and OWNED_QUIZ_LESSON assigned."""
    with app.app_context():
        group = classes.create_class(user_ids[policy.TEACHER], "Policy class")
        assert classes.join_class(user_ids[policy.STUDENT], group.join_code, "192.0.2.1").outcome == "joined"
        assignment = classes.assign_lesson(group, classes.Policy(policy.OWNED_QUIZ_LESSON, None, None, "highest",
                                                                 60, "immediately"))
        return {"class": group.id, "assignment": assignment.id, "student": user_ids[policy.STUDENT]}


def outcome_of(response) -> int | str:
    response.close()  # static files are streamed
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost"), f"redirect off site: {response.headers['Location']}"
        return LOGIN if location.path == "/login" else REDIRECT
    return response.status_code


def visit(client, row, objects, tokens: dict) -> int | str:
    path = row.path.format(**objects)
    if row.method == "GET":
        return outcome_of(client.get(path))
    if client not in tokens:  # one per session: the token lives as long as the session
        tokens[client] = csrf_token(client, "/")
    return outcome_of(client.post(path, data={**row.data, "csrf_token": tokens[client]}))


def test_every_visitor_gets_what_the_policy_says(app, visitors):
    users, clients, objects = visitors
    routed = routed_endpoints(app)  # a row without its route fails the test above
    wrong, tokens = [], {}
    # rows that log the visitor out run last, each in a browser of its own
    for row in sorted(POLICY, key=lambda row: row.ends_session):
        if (row.endpoint, row.method) not in routed:
            continue
        for role in ROLES:
            client = clients[role]
            if row.ends_session and users[role] is not None:
                client = app.test_client()
                assert login(client, users[role], PASSWORD).status_code == 303
            got = visit(client, row, objects, tokens)
            if got != row.outcomes[role]:
                wrong.append(f"{row.method} {row.path} as {role}: expected {row.outcomes[role]}, got {got}")
    assert not wrong, "\n".join(wrong)
