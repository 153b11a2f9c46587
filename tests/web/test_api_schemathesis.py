"""Schemathesis against the generated OpenAPI document, in-process (WSGI), with a teacher's token of
every scope: every operation, positive and negative examples, every built-in check, no failure."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from app.services import classes, tokens
from tests.conftest import new_user

EXAMPLES = 25  # per operation and phase: the whole run stays well under a minute


@pytest.fixture(scope="module")
def teacher_token(sqlite_app) -> str:
    teacher_id, _ = new_user(sqlite_app, "teacher")
    student_id, _ = new_user(sqlite_app, "student")
    with sqlite_app.app_context():
        group = classes.create_class(teacher_id, "Schemathesis class")
        classes.join_class(student_id, group.join_code, "192.0.2.7")
        classes.assign_lesson(group, classes.Policy("nl-l2", None, None, "highest", 60, "immediately"))
        return tokens.create(teacher_id, "schemathesis", list(tokens.SCOPES), None).secret


def operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_every_promise_of_its_openapi_document(sqlite_app, teacher_token, mode):
    found = operations(sqlite_app)
    assert len(found) == 8  # every route of the API is in the document
    headers = {"Authorization": f"Bearer {teacher_token}"}
    for operation in found:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(headers=headers)

        check()
