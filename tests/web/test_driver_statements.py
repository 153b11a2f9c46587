"""DriverStatement (app/driver_statements.py) reads and writes what `Connection.execute` would, on
SQLite and PostgreSQL, and refuses what it cannot hand to the driver as it is."""

from datetime import datetime

import pytest
from sqlalchemy import bindparam, func, insert, select, update

from app import database
from app.driver_statements import DriverStatement
from app.extensions import db
from app.models import Attempt, AttemptSlot, AttemptStatus, Response
from app.services import attempts

from ..conftest import new_user
from .helpers import lesson_row

_attempts, _slots = Attempt.__table__, AttemptSlot.__table__


def open_final(app) -> int:
    user_id, _name = new_user(app)
    with app.app_context():
        attempt_id = attempts.start_final(user_id, lesson_row(app).id).id
        db.session.commit()
    return attempt_id


def test_its_rows_are_those_of_connection_execute_json_booleans_and_dates_included(app):
    attempt_id = open_final(app)
    statement = (select(_attempts.c.id, _attempts.c.started_at, (_attempts.c.status == AttemptStatus.OPEN).label("open"),
                        _slots.c.number, _slots.c.option_order, _attempts.c.submitted_at)
                 .join(_slots, _slots.c.attempt_id == _attempts.c.id)
                 .where(_attempts.c.id == bindparam("attempt_id")).order_by(_slots.c.number))
    with app.app_context(), db.engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(statement, {"attempt_id": attempt_id})]
        found = DriverStatement(statement).rows(connection, {"attempt_id": attempt_id})
    assert found == expected and len(found) >= 2
    assert all(isinstance(row[4], list) and isinstance(row[1], datetime) and row[2] is True and row[5] is None
               for row in found)


def test_it_stores_a_date_as_the_orm_does_and_counts_as_a_statement(app):
    """The same value written both ways is stored the same way (SQLite keeps dates as text) and
    reads back equal, to the microsecond."""
    first, second = open_final(app), open_final(app)
    when = datetime(2026, 11, 28, 9, 30, 0, 120)
    statement = (update(_attempts).where(_attempts.c.id == bindparam("attempt_id"),
                                         _attempts.c.status == AttemptStatus.OPEN)
                 .values(submitted_at=bindparam("now"), status=AttemptStatus.SUBMITTED))
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(statement, {"attempt_id": first, "now": when})
            with database.count_statements(db.engine) as sent:
                written = DriverStatement(statement).execute(connection, {"attempt_id": second, "now": when})
        assert written.rowcount == 1 and len(sent) == 1
        stored = select(func.cast(_attempts.c.submitted_at, db.String), _attempts.c.submitted_at, _attempts.c.status)
        with db.engine.connect() as connection:
            rows = {row_id: tuple(connection.execute(stored.where(_attempts.c.id == row_id)).one())
                    for row_id in (first, second)}
    assert rows[first] == rows[second]
    assert rows[second][1] == when and rows[second][2] == AttemptStatus.SUBMITTED


def test_a_statement_changing_nothing_says_so(app):
    attempt_id = open_final(app)
    statement = DriverStatement(update(_attempts).where(_attempts.c.id == bindparam("attempt_id"),
                                                        _attempts.c.status == AttemptStatus.SUBMITTED)
                                .values(score=bindparam("score")))
    with app.app_context(), db.engine.begin() as connection:
        assert statement.execute(connection, {"attempt_id": attempt_id, "score": 1.0}).rowcount == 0


def test_it_refuses_a_statement_whose_defaults_sqlalchemy_fills_in_in_python(app):
    """An INSERT that leaves out a column with a Python-side default (`Response.try_number`) would
    silently store NULL through the driver: refused when first run, before anything is sent."""
    statement = DriverStatement(insert(Response.__table__).values(
        attempt_id=bindparam("attempt_id"), slot_id=bindparam("slot_id"), question_id=1, question_version_id=1,
        selected=[], score=0.0, outcome="unanswered"))
    with (app.app_context(), db.engine.connect() as connection, database.count_statements(db.engine) as sent,
          pytest.raises(ValueError, match="Python-side default")):
        statement.execute(connection, {"attempt_id": 1, "slot_id": 1, "created_at": datetime(2026, 1, 1)})
    assert sent == []


def test_it_refuses_a_list_of_values_to_expand(app):
    statement = DriverStatement(select(_attempts.c.id).where(_attempts.c.id.in_(bindparam("ids", expanding=True))))
    with app.app_context(), db.engine.connect() as connection, pytest.raises(ValueError, match="plain bound values"):
        statement.rows(connection, {"ids": [1, 2]})
