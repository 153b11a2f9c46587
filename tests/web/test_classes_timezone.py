"""Due dates in the school's time zone (Europe/Amsterdam by default): the form takes local time
and says which zone, the database keeps UTC, every page shows local time again; a time the clocks
skip is refused with a clear message."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment

from ..support import csrf_token
from .test_classes import assign, create_class, logged_in


@pytest.fixture()
def teacher(app):
    return logged_in(app, "teacher")


def due_of(app, class_id: int):
    with app.app_context():
        return db.session.scalar(select(Assignment.due_at).where(Assignment.class_id == class_id))


def test_the_form_names_the_school_time_zone(teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    page = client.get(f"/classes/{class_id}/assignments/new").get_data(as_text=True)
    assert "Date and time in the school&#39;s time zone: Europe/Amsterdam." in page


def test_a_due_date_just_after_the_clocks_go_forward_is_kept_in_utc_and_shown_as_entered(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    assert assign(client, class_id, due_at="2027-03-28T03:30").status_code == 303
    assert due_of(app, class_id).isoformat() == "2027-03-28T01:30:00"  # summer time: UTC+2
    assert "3/28/27, 3:30\u202fAM" in client.get(f"/classes/{class_id}/").get_data(as_text=True)
    (edit,) = [f"/classes/{class_id}/assignments/{a}/edit" for a in [assignment_id(app, class_id)]]
    assert 'value="2027-03-28T03:30"' in client.get(edit).get_data(as_text=True)


def test_a_due_date_just_before_the_clocks_go_forward_is_winter_time(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    assert assign(client, class_id, due_at="2027-03-28T01:30").status_code == 303
    assert due_of(app, class_id).isoformat() == "2027-03-28T00:30:00"  # winter time: UTC+1


def test_a_time_the_clocks_skip_is_refused_and_saving_unchanged_keeps_the_moment(app, teacher):
    client, _, _ = teacher
    class_id = create_class(client)
    response = assign(client, class_id, due_at="2027-03-28T02:30")
    assert response.status_code == 400
    assert "This time does not exist in Europe/Amsterdam: the clocks go forward then." in response.get_data(as_text=True)
    assert due_of(app, class_id) is None
    assert assign(client, class_id, due_at="2027-10-31T02:30").status_code == 303  # passed twice: the first
    assert due_of(app, class_id).isoformat() == "2027-10-31T00:30:00"
    edit = f"/classes/{class_id}/assignments/{assignment_id(app, class_id)}/edit"
    form = {"csrf_token": csrf_token(client, edit), "lesson": "nl-l1", "due_at": "2027-10-31T02:30", "attempts_mode": "unlimited",
            "attempts": "2", "counting": "highest", "pass_mark": "60", "key_reveal": "after_due"}
    response = client.post(edit, data=form)
    assert response.status_code == 303, re.findall(r'class="error-message"[^>]*>(.*?)</p>', response.get_data(as_text=True))
    assert due_of(app, class_id).isoformat() == "2027-10-31T00:30:00"


def assignment_id(app, class_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Assignment.id).where(Assignment.class_id == class_id))
