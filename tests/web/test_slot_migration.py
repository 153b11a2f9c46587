"""Migration a3_attempt_slots: attempts stored before slots existed still display and grade.

A database at the initial schema gets a final quiz attempt (version list), a lesson attempt
with one checkpoint answer and two open finals of one student (the bug the new constraint
prevents); after `upgrade` to the newest revision every attempt has slots in stored order."""

from __future__ import annotations

import itertools
import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

from ..support import ROOT

INITIAL = "5b55817982e2"
_databases = itertools.count(1)
NOW = datetime(2026, 11, 1, 12, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path):
    """An app whose database is migrated only to the initial schema."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_cluster").create_database(f"lesmark_slots{next(_databases)}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp_path, "TESTING": True,
                      "RATELIMIT_ENABLED": False, "CONTENT_ROOT": ROOT})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision=INITIAL)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def insert(connection, table: str, **values) -> None:
    columns = ", ".join(values)
    params = ", ".join(f":{k}" for k in values)
    connection.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)  # noqa: S608 - test literals


def old_rows(connection) -> None:
    """Hand-written rows in the initial schema: two questions (3 and 2 options), three attempts."""
    insert(connection, "users", id=1, username="old", display_name="Old", password_hash="x", role="student",
           created_at=NOW)
    insert(connection, "courses", id=1, slug="demo", title="Demo", language="nl", level="", description="",
           glossary="[]", retired=False)
    insert(connection, "lessons", id=1, slug="demo-l1", course_id=1, title="Les", language="nl", minutes=5,
           position="demo/01-les", screen_count=3, source_path="lessons/demo/01-les.md", content_hash="h",
           retired=False, updated_at=NOW)
    for qid, options in ((1, 3), (2, 2)):
        insert(connection, "questions", id=qid, slug=f"demo-l1-q0{qid}", lesson_id=1, retired=False)
        option_json = ", ".join(f'{{"html": "o{i}", "feedback_html": "f{i}", "correct": {str(i == 1).lower()}}}'
                                for i in range(options))
        insert(connection, "question_versions", id=qid, question_id=qid, number=1, type="single",
               stem_html=f"<p>q{qid}</p>", options=f"[{option_json}]", rationale="", source="",
               content_hash=f"h{qid}", created_at=NOW)
        connection.execute(sa.text("UPDATE questions SET current_version_id = :v WHERE id = :v"), {"v": qid})
    # a handed-in final: question 2 first, then question 1; both answered with option 1 (the key)
    insert(connection, "attempts", id=1, user_id=1, lesson_id=1, kind="final", status="submitted",
           version_ids="[2, 1]", score=2.0, max_score=2, started_at=NOW, submitted_at=NOW)
    for position, qid in ((1, 2), (2, 1)):
        insert(connection, "responses", id=position, attempt_id=1, question_id=qid, question_version_id=qid,
               position=position, selected="[1]", score=1.0, outcome="correct", created_at=NOW)
    # the checkpoint run: question 1 answered on slide 3
    insert(connection, "attempts", id=2, user_id=1, lesson_id=1, kind="lesson", status="open",
           version_ids="[]", started_at=NOW)
    insert(connection, "responses", id=3, attempt_id=2, question_id=1, question_version_id=1, position=3,
           selected="[0]", score=0.0, outcome="incorrect", created_at=NOW)
    # two open finals of one student, from two tabs: only the newer one may stay
    for attempt_id in (3, 4):
        insert(connection, "attempts", id=attempt_id, user_id=1, lesson_id=1, kind="final", status="open",
               version_ids="[1, 2]", started_at=NOW)


def test_old_attempts_get_slots_in_stored_order_and_keep_their_answers(old_database):
    with old_database.app_context():
        with db.engine.begin() as connection:
            old_rows(connection)
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as connection:
            slots = connection.execute(sa.text(
                "SELECT attempt_id, number, question_id, question_version_id, option_order FROM attempt_slots "
                "ORDER BY attempt_id, number")).all()
            answers = connection.execute(sa.text(
                "SELECT r.id, s.attempt_id, s.number, r.selected FROM responses r "
                "JOIN attempt_slots s ON s.id = r.slot_id ORDER BY r.id")).all()
            attempts = connection.execute(sa.text("SELECT id FROM attempts ORDER BY id")).scalars().all()
    # raw SQL: PostgreSQL returns JSON decoded, SQLite as text
    as_list = [(a, n, q, v, o if isinstance(o, list) else json.loads(o)) for a, n, q, v, o in slots]
    assert as_list == [
        (1, 1, 2, 2, [0, 1]), (1, 2, 1, 1, [0, 1, 2]),  # the final, in its old question order
        (2, 3, 1, 1, [0, 1, 2]),  # the checkpoint answer's slot is numbered by its slide
        (4, 1, 1, 1, [0, 1, 2]), (4, 2, 2, 2, [0, 1]),  # the newer open final
    ]
    assert [(r, a, n) for r, a, n, _selected in answers] == [(1, 1, 1), (2, 1, 2), (3, 2, 3)]
    assert attempts == [1, 2, 4]  # the older of the two open finals held no answers and is gone


def test_a_second_open_final_is_refused_after_the_migration(old_database):
    with old_database.app_context():
        with db.engine.begin() as connection:
            old_rows(connection)
        upgrade(directory=str(ROOT / "migrations"))
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            insert(connection, "attempts", id=10, user_id=1, lesson_id=1, kind="final", status="open",
                   started_at=NOW)
        with db.engine.begin() as connection:  # a closed lesson run next to an open one is allowed
            insert(connection, "attempts", id=11, user_id=1, lesson_id=1, kind="lesson", status="closed",
                   started_at=NOW)
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            insert(connection, "attempts", id=12, user_id=1, lesson_id=1, kind="lesson", status="open",
                   started_at=NOW)


def test_the_downgrade_gives_back_version_lists_and_positions(old_database):
    with old_database.app_context():
        with db.engine.begin() as connection:
            old_rows(connection)
        upgrade(directory=str(ROOT / "migrations"))
        downgrade(directory=str(ROOT / "migrations"), revision="a2_content_revisions")
        with db.engine.connect() as connection:
            finals = connection.execute(sa.text(
                "SELECT id, version_ids FROM attempts WHERE kind = 'final' ORDER BY id")).all()
            positions = connection.execute(sa.text("SELECT id, position FROM responses ORDER BY id")).all()
        upgrade(directory=str(ROOT / "migrations"))  # and up again
    assert [(i, v if isinstance(v, list) else json.loads(v)) for i, v in finals] == [(1, [2, 1]), (4, [1, 2])]
    assert positions == [(1, 1), (2, 2), (3, 3)]
