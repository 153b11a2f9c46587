"""The school's time zone: due dates entered in it are kept in UTC, across daylight saving time;
an unknown zone stops the start."""

from datetime import datetime

import pytest

from app import create_app
from app.config import UnsafeConfig
from app.services.school_time import NonexistentTime, from_utc, to_utc

AMSTERDAM = "Europe/Amsterdam"


@pytest.mark.parametrize("local, utc", [
    (datetime(2027, 3, 28, 1, 59), datetime(2027, 3, 28, 0, 59)),  # winter time, UTC+1
    (datetime(2027, 3, 28, 3, 0), datetime(2027, 3, 28, 1, 0)),  # summer time, UTC+2
    (datetime(2027, 10, 31, 1, 59), datetime(2027, 10, 30, 23, 59)),  # still summer time
    (datetime(2027, 10, 31, 2, 30), datetime(2027, 10, 31, 0, 30)),  # passed twice: the first, summer time
    (datetime(2027, 10, 31, 3, 0), datetime(2027, 10, 31, 2, 0)),  # winter time again
])
def test_school_time_is_kept_in_utc_on_both_sides_of_a_clock_change(local, utc):
    assert to_utc(local, AMSTERDAM) == utc
    assert from_utc(utc, AMSTERDAM) == local


@pytest.mark.parametrize("local", [datetime(2027, 3, 28, 2, 0), datetime(2027, 3, 28, 2, 30),
                                   datetime(2027, 3, 28, 2, 59)])
def test_a_time_the_clocks_skip_does_not_exist(local):
    with pytest.raises(NonexistentTime):
        to_utc(local, AMSTERDAM)


def test_helsinki_is_an_hour_further_east():
    assert to_utc(datetime(2027, 1, 15, 9, 0), "Europe/Helsinki") == datetime(2027, 1, 15, 7, 0)
    assert to_utc(datetime(2027, 1, 15, 9, 0), "UTC") == datetime(2027, 1, 15, 9, 0)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/amsterdam", "", "../etc/passwd", "CET+1"])
@pytest.mark.parametrize("env", ["production", "development"])
def test_an_unknown_time_zone_refuses_to_start(monkeypatch, tmp_path, zone, env):
    monkeypatch.setenv("LESMARK_ENV", env)
    monkeypatch.setenv("LESMARK_TIMEZONE", zone)
    with pytest.raises(UnsafeConfig, match="LESMARK_TIMEZONE"):
        create_app({"INSTANCE_PATH": tmp_path, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 't.sqlite'}"})


def test_the_default_time_zone_is_amsterdam_and_the_setting_chooses_another(monkeypatch, tmp_path):
    settings = {"INSTANCE_PATH": tmp_path, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 't.sqlite'}"}
    monkeypatch.delenv("LESMARK_TIMEZONE", raising=False)
    assert create_app(settings).config["BABEL_DEFAULT_TIMEZONE"] == AMSTERDAM
    monkeypatch.setenv("LESMARK_TIMEZONE", "Europe/Budapest")
    assert create_app(settings).config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Budapest"
