"""The "Where you are logged in" list on the settings page reads like a good tool's: this device
first, times in words ("just now", "3 hours ago") in the page's language, and every "Log out that
device" button described by the device it ends (screen readers hear which one)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from app.extensions import db
from app.models import UserSession, utcnow
from tests.conftest import new_user

from .test_sessions import ANDROID_CHROME, logged_in_client, session_ids


def session_list(client) -> str:
    page = client.get("/account/").get_data(as_text=True)
    return page.split('class="session-list"')[1].split("</ul>")[0]


def test_this_device_comes_first_even_when_another_was_active_more_recently(app):
    user_id, name = new_user(app)
    laptop = logged_in_client(app, name)
    logged_in_client(app, name, ANDROID_CHROME)  # logged in after the laptop: its last activity is later
    listed = session_list(laptop)
    assert listed.index("Firefox · Windows</strong> (this device)") < listed.index("Chrome · Android</strong>")


def test_times_are_words_in_the_page_language_and_a_fresh_login_is_just_now(app):
    user_id, name = new_user(app)
    logged_in_client(app, name, ANDROID_CHROME)
    with app.app_context():
        now = utcnow()
        db.session.execute(update(UserSession).where(UserSession.user_id == user_id)
                           .values(created_at=now - timedelta(hours=3), last_seen_at=now - timedelta(minutes=20)))
        db.session.commit()
    laptop = logged_in_client(app, name)
    laptop.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    listed = session_list(laptop)
    assert "Ingelogd zojuist, laatst actief zojuist" in listed  # this device
    assert "Ingelogd 3 uur geleden, laatst actief 20 minuten geleden" in listed  # the phone
    assert "over 0 seconden" not in listed and "0 seconden geleden" not in listed


def test_each_log_out_button_is_described_by_its_device(app):
    user_id, name = new_user(app)
    laptop = logged_in_client(app, name)
    logged_in_client(app, name, ANDROID_CHROME)
    _laptop_id, phone_id = session_ids(app, user_id)
    listed = session_list(laptop)
    assert f'aria-describedby="session-{phone_id}"' in listed
    described = re.search(rf'<span id="session-{phone_id}">(.*?)</span>', listed, re.DOTALL).group(1)
    assert "Chrome · Android" in described
