"""The JSON API's behaviour: what a lesson and an attempt reveal, grading once, class policies, problem
JSON for every error, malformed input (no 5xx, nothing written), the per-token rate limit, and
personal access tokens made and revoked on the account page (shown once, stored hashed)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import func, select, text

from app.extensions import db
from app.logs import RequestContextFilter, access_log
from app.models import ApiToken, AttemptSlot, QuestionVersion
from app.services import classes, tokens
from tests.conftest import PASSWORD, make_app, new_user

from ..support import csrf_token, login

QUIZ_LESSON, LESSON = "nl-l3", "nl-l1"


def token_for(app, role: str = "student", scopes=("read", "quiz")) -> tuple[int, dict]:
    user_id, _ = new_user(app, role)
    with app.app_context():
        secret = tokens.create(user_id, "test", list(scopes), None).secret
    return user_id, {"Authorization": f"Bearer {secret}"}


def keyed_positions(app, attempt_id: int) -> dict[int, list[int]]:
    """The correct displayed positions of every slot, from the database (what a perfect student picks)."""
    with app.app_context():
        rows = db.session.execute(select(AttemptSlot.number, AttemptSlot.option_order, QuestionVersion.options)
                                  .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
                                  .where(AttemptSlot.attempt_id == attempt_id)).all()
        db.session.remove()
    return {number: [p for p, i in enumerate(order) if options[i]["correct"]] for number, order, options in rows}


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        found = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}"))  # noqa: S608 - fixed names
                 for t in ("attempts", "attempt_slots", "responses", "lesson_progress", "api_tokens")}
        db.session.remove()
        return found


# --- what the API reveals --------------------------------------------------------------------------

def test_a_lesson_gives_students_every_slide_without_answer_keys_or_speaker_notes(app):
    _, headers = token_for(app)
    lesson = app.test_client().get(f"/api/v1/lessons/{LESSON}", headers=headers).json
    assert lesson["slug"] == LESSON and lesson["course"] == "nl-klantrelaties"
    assert [s["position"] for s in lesson["slides"]] == list(range(1, len(lesson["slides"]) + 1))
    questions = [s["question"] for s in lesson["slides"] if s["kind"] == "question"]
    assert questions and all(q["options"] for q in questions)
    assert all(s["notes_html"] is None for s in lesson["slides"])
    raw = json.dumps(lesson)
    assert '"correct"' not in raw and "feedback" not in raw


def test_a_lesson_gives_teachers_the_speaker_notes(app):
    _, headers = token_for(app, "teacher")
    slides = app.test_client().get(f"/api/v1/lessons/{LESSON}", headers=headers).json["slides"]
    assert any(s["notes_html"] for s in slides)


def test_an_open_attempt_shows_no_key_and_a_perfect_submission_scores_full_marks_once(app):
    user_id, headers = token_for(app)
    client = app.test_client()
    started = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers)
    assert started.status_code == 201
    attempt = started.json
    assert attempt["status"] == "open" and attempt["score"] is None
    assert all(q["correct"] is None and q["feedback_html"] is None and q["selected"] is None
               for q in attempt["questions"])
    # starting again continues the same attempt
    again = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers)
    assert again.status_code == 200 and again.json["id"] == attempt["id"]
    keys = keyed_positions(app, attempt["id"])
    body = {"answers": [{"slot": n, "selected": positions} for n, positions in keys.items()]}
    result = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, json=body)
    assert result.status_code == 200
    graded = result.json
    assert graded["status"] == "submitted" and graded["percent"] == 100.0
    assert graded["score"] == graded["max_score"] > 0
    assert graded["key_visible"] is True
    # times carry their offset (RFC 3339): stored in UTC, never to be read as the client's local time
    started_at, submitted_at = (datetime.fromisoformat(graded[k]) for k in ("started_at", "submitted_at"))
    assert started_at.utcoffset() == submitted_at.utcoffset() == timedelta(0)
    assert started_at <= submitted_at <= datetime.now(UTC)
    assert {q["slot"]: q["correct"] for q in graded["questions"]} == keys
    assert {q["slot"]: q["selected"] for q in graded["questions"]} == keys
    before = table_counts(app)
    replay = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, json=body)
    assert replay.status_code == 409 and replay.mimetype == "application/problem+json"
    assert table_counts(app) == before


def test_unanswered_questions_need_allow_unanswered_and_then_score_zero(app):
    _, headers = token_for(app)
    client = app.test_client()
    attempt = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers).json
    refused = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, json={"answers": []})
    assert refused.status_code == 422
    assert len(refused.json["errors"]) == len(attempt["questions"])
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json["status"] == "open"
    handed_in = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers,
                            json={"answers": [], "allow_unanswered": True})
    assert handed_in.status_code == 200
    assert handed_in.json["score"] == 0 and handed_in.json["percent"] == 0.0
    assert all(q["selected"] == [] for q in handed_in.json["questions"])


def class_with_policy(app, student_id: int, **policy) -> None:
    teacher_id, _ = new_user(app, "teacher")
    with app.app_context():
        group = classes.create_class(teacher_id, "Policy class")
        assert classes.join_class(student_id, group.join_code, "192.0.2.9").outcome == "joined"
        values = {"due_at": None, "attempts_allowed": None, "key_reveal": "immediately", **policy}
        classes.assign_lesson(group, classes.Policy(QUIZ_LESSON, values["due_at"], values["attempts_allowed"],
                                                    "highest", 60, values["key_reveal"]))


def test_the_class_policy_never_hides_the_key_after_submission(app):
    user_id, headers = token_for(app)
    class_with_policy(app, user_id, key_reveal="never")
    client = app.test_client()
    attempt = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers).json
    graded = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers,
                         json={"answers": [], "allow_unanswered": True}).json
    assert graded["status"] == "submitted" and graded["key_visible"] is False
    assert all(q["correct"] is None and q["feedback_html"] is None for q in graded["questions"])


def test_no_new_attempt_once_the_class_allows_no_more_and_nothing_is_written(app):
    user_id, headers = token_for(app)
    class_with_policy(app, user_id, attempts_allowed=1)
    client = app.test_client()
    attempt = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers).json
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, json={"answers": [], "allow_unanswered": True})
    before = table_counts(app)
    refused = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers)
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert table_counts(app) == before


def test_progress_counts_the_answers_of_a_submitted_quiz(app):
    _, headers = token_for(app)
    client = app.test_client()
    untouched = client.get("/api/v1/progress", headers=headers).json
    goals = {g["slug"]: g for lesson in untouched["lessons"] for g in lesson["goals"]}
    assert goals and all(g["answered"] == 0 and g["status"] == "not_started" for g in goals.values())
    attempt = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers).json
    keys = keyed_positions(app, attempt["id"])
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers,
                json={"answers": [{"slot": n, "selected": p} for n, p in keys.items()]})
    after = client.get("/api/v1/progress", headers=headers).json
    lesson = next(x for x in after["lessons"] if x["lesson"] == QUIZ_LESSON)
    assert sum(g["answered"] for g in lesson["goals"]) >= len(keys)  # every question belongs to a goal
    assert all(g["fraction_correct"] == 1.0 for g in lesson["goals"] if g["answered"])


# --- problem JSON and malformed input -------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/v1/no-such-thing", 404),
    ("GET", "/api/", 404),
    ("DELETE", "/api/v1/courses", 405),
    ("GET", "/api/v1/lessons/nl-l3/attempts", 405),
    ("GET", "/api/v1/attempts/2147483648", 404),
    ("GET", "/api/v1/attempts/0", 404),
    ("GET", "/api/v1/attempts/-1", 404),
    ("GET", "/api/v1/classes/2147483648/gradebook", 404),
    ("GET", "/api/v1/courses/%C3%84%C3%96", 404),
    ("GET", "/api/v1/lessons/NL-L1", 404),
    ("GET", "/api/v1/lessons/nl-l1%00", 400),
])
def test_every_error_under_api_is_problem_json(app, method, path, status):
    _, headers = token_for(app)
    response = app.test_client().open(path, method=method, headers=headers)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["status"] == status and problem["type"] == "about:blank"
    assert problem["title"] and problem["detail"] and problem["instance"] == response.request.path
    if status == 405:
        assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]


MALFORMED_BODIES = [
    None, "", "null", "[]", "{}", '"answers"', "{", '{"answers": null}', '{"answers": {}}',
    '{"answers": "0"}', '{"answers": [1]}', '{"answers": [{"slot": "1", "selected": [0]}]}',
    '{"answers": [{"slot": 1.5, "selected": [0]}]}', '{"answers": [{"slot": true, "selected": [0]}]}',
    '{"answers": [{"slot": 2147483648, "selected": [0]}]}', '{"answers": [{"slot": -1, "selected": [0]}]}',
    '{"answers": [{"slot": 999, "selected": [0]}]}', '{"answers": [{"slot": 1, "selected": [2147483648]}]}',
    '{"answers": [{"slot": 1, "selected": [99]}]}', '{"answers": [{"slot": 1, "selected": ["0"]}]}',
    '{"answers": [{"slot": 1, "selected": [0, 1]}]}', '{"answers": [{"slot": 1, "selected": [0]}, {"slot": 1, "selected": [0]}]}',
    '{"answers": [{"slot": 1, "selected": "\u00e4\u200b\ud83d\ude00"}]}', '{"answers": [{"sl\u00f6t": 1}]}',
    '{"answers": [], "allow_unanswered": "maybe"}', '{"answers": [], "allow_unanswered": "\\u0000"}',
    "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"), json.dumps({"answers": [{"slot": 1, "selected": [0]}] * 1001}),
    "x" * (70 * 1024),
]


def test_malformed_submissions_are_refused_with_4xx_problem_json_and_write_nothing(app):
    _, headers = token_for(app)
    client = app.test_client()
    attempt = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers).json
    before = table_counts(app)
    for body in MALFORMED_BODIES:
        data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body  # lone surrogates too
        response = client.post(f"/api/v1/attempts/{attempt['id']}/submit", data=data,
                               headers={**headers, "Content-Type": "application/json"})
        assert 400 <= response.status_code < 500, (body, response.status_code)
        assert response.mimetype == "application/problem+json", body
    assert table_counts(app) == before
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json["status"] == "open"


def test_a_validation_error_lists_each_bad_field(app):
    _, headers = token_for(app)
    client = app.test_client()
    attempt = client.post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers).json
    response = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers,
                           json={"answers": [{"slot": "one", "selected": [0]}, {"selected": ["x"]}]})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json["errors"]}
    assert fields == {"answers.0.slot", "answers.1.slot", "answers.1.selected.0"}


@pytest.mark.parametrize("authorization", [
    "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer lm_", "Bearer lm_00000000_" + "A" * 43,
    "Bearer " + "lm_" + "x" * 5000, "Bearer lm_\u00e4\u00f6\u00fc", "Bearer \u200b", "Token abc",
])
def test_a_missing_or_malformed_token_is_401_with_a_bearer_challenge(app, authorization):
    response = app.test_client().get("/api/v1/courses", headers={"Authorization": authorization.encode().decode("latin-1")})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/problem+json"


# --- rate limit -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def limited_app(tmp_path_factory):
    app = make_app(tmp_path_factory, None, RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_rate_limit_counts_per_token(limited_app):
    _, first = token_for(limited_app)
    _, second = token_for(limited_app)
    client = limited_app.test_client()
    assert [client.get("/api/v1/courses", headers=first).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get("/api/v1/courses", headers=first)
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/api/v1/courses", headers=second).status_code == 200  # another token, its own budget


# --- tokens on the account page -------------------------------------------------------------------

def logged_in(app, role="student"):
    user_id, name = new_user(app, role)
    client = app.test_client()
    assert login(client, name, PASSWORD).status_code == 303
    return user_id, client


def test_a_new_token_is_shown_once_stored_hashed_and_works(app):
    user_id, client = logged_in(app)
    page = client.post("/account/tokens", data={"csrf_token": csrf_token(client, "/account/"), "name": "My app",
                                                "scopes": ["read"], "expires": "30"})
    assert page.status_code == 200
    secret = re.search(r'id="new-token" class="input" value="(lm_[0-9a-f]{8}_[A-Za-z0-9_-]{43})"',
                       page.get_data(as_text=True)).group(1)
    with app.app_context():
        record = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user_id))
        assert record.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret.startswith(record.prefix + "_") and record.scopes == "read"
        assert 29 <= (record.expires_at - record.created_at).days <= 30
        prefix = record.prefix
        stored = " ".join(str(v) for v in db.session.execute(
            text("SELECT * FROM api_tokens WHERE id = :id"), {"id": record.id}).one())
        db.session.remove()
    assert secret not in stored  # only the hash and the prefix
    again = client.get("/account/").get_data(as_text=True)
    assert secret not in again and prefix in again and "My app" in again
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/courses", headers=headers).status_code == 200
    assert app.test_client().post(f"/api/v1/lessons/{QUIZ_LESSON}/attempts", headers=headers).status_code == 403


def test_a_revoked_token_stops_working_at_once(app):
    user_id, client = logged_in(app)
    with app.app_context():
        made = tokens.create(user_id, "old", ["read"], None)
        token_id, prefix = made.record.id, made.record.prefix
    headers = {"Authorization": f"Bearer {made.secret}"}
    assert app.test_client().get("/api/v1/courses", headers=headers).status_code == 200
    revoked = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/account/")})
    assert revoked.status_code == 303
    response = app.test_client().get("/api/v1/courses", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert prefix not in client.get("/account/").get_data(as_text=True)


def test_nobody_revokes_another_users_token(app):
    owner_id, _ = logged_in(app)
    _, intruder = logged_in(app)
    with app.app_context():
        made = tokens.create(owner_id, "mine", ["read"], None)
        token_id = made.record.id
    refused = intruder.post(f"/account/tokens/{token_id}/revoke",
                            data={"csrf_token": csrf_token(intruder, "/account/")})
    assert refused.status_code == 404
    assert app.test_client().get("/api/v1/courses", headers={"Authorization": f"Bearer {made.secret}"}).status_code == 200


@pytest.mark.parametrize("form", [
    {}, {"name": "", "scopes": ["read"], "expires": "30"}, {"name": "x", "expires": "30"},
    {"name": "x", "scopes": ["admin"], "expires": "30"}, {"name": "x", "scopes": ["read"], "expires": "2147483648"},
    {"name": "x", "scopes": ["read"], "expires": "-1"}, {"name": "x" * 81, "scopes": ["read"], "expires": "30"},
    {"name": "x", "scopes": ["gradebook"], "expires": "30"},  # a student has no gradebook
    {"name": "\u00e4\u200b\U0001f600", "scopes": ["read", "read\u0000"], "expires": "never"},
])
def test_a_bad_token_form_makes_no_token(app, form):
    _, client = logged_in(app)
    before = table_counts(app)["api_tokens"]
    response = client.post("/account/tokens", data={"csrf_token": csrf_token(client, "/account/"), **form})
    assert response.status_code == 400
    assert "lm_" not in response.get_data(as_text=True)
    assert table_counts(app)["api_tokens"] == before


def test_a_teacher_may_make_a_gradebook_token(app):
    user_id, client = logged_in(app, "teacher")
    response = client.post("/account/tokens", data={"csrf_token": csrf_token(client, "/account/"), "name": "LMS",
                                                    "scopes": ["read", "gradebook"], "expires": "never"})
    assert response.status_code == 200
    with app.app_context():
        record = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user_id))
        db.session.remove()
    assert record.scopes == "read gradebook" and record.expires_at is None


def test_live_tokens_are_limited_per_account(app):
    user_id, client = logged_in(app)
    with app.app_context():
        for number in range(tokens.MAX_TOKENS):
            tokens.create(user_id, f"t{number}", ["read"], None)
    before = table_counts(app)["api_tokens"]
    response = client.post("/account/tokens", data={"csrf_token": csrf_token(client, "/account/"), "name": "one more",
                                                    "scopes": ["read"], "expires": "7"})
    assert response.status_code == 400
    assert table_counts(app)["api_tokens"] == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id)) \
            == tokens.MAX_TOKENS
        db.session.remove()


def test_the_access_log_names_the_token_owner_and_never_the_token(app):
    user_id, headers = token_for(app)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(message)s %(request_id)s %(user_id)s"))
    handler.addFilter(RequestContextFilter())
    access_log.addHandler(handler)
    # running migrations (alembic's fileConfig) in another fixture may have disabled the logger
    level, disabled = access_log.level, access_log.disabled
    access_log.disabled = False
    access_log.setLevel(logging.INFO)  # setLevel, not .level: it clears the logging module's cache
    try:
        assert app.test_client().get("/api/v1/courses", headers=headers).status_code == 200
    finally:
        access_log.removeHandler(handler)
        access_log.disabled = disabled
        access_log.setLevel(level)
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["user_id"] == user_id and record["message"] == "GET /api/v1/courses 200"
    assert headers["Authorization"][7:] not in stream.getvalue()
