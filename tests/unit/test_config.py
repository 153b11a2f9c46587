"""Production refuses unsafe settings."""

import secrets

import pytest

from app import create_app
from app.config import UnsafeConfig, secret_key_problem

GOOD_KEY = "kJ3v_Qp8ZrT1xWm9-LcY4sNd0HbFu7Ge2oAi6VtRyXq5EwMz"  # 48 random URL-safe characters


@pytest.fixture()
def production(monkeypatch, tmp_path):
    """Environment of a production start with safe settings; tests spoil one of them."""
    monkeypatch.setenv("LESMARK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    return {"INSTANCE_PATH": tmp_path, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"}


def test_production_refuses_the_default_secret_key(production, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(UnsafeConfig, match="SECRET_KEY"):
        create_app(production)


@pytest.mark.parametrize(("key", "reason"), [
    (" " * 40, "fewer than 10 different characters"),
    ("a" * 40, "fewer than 10 different characters"),
    ("abc123" * 7, "fewer than 10 different characters"),
    ("Lesmark2026!" * 3, "a short pattern repeated"),
    ("correct horse battery staple is my secret key", "guessable"),
    ("ThisIsMySecretKeyForLesmarkProduction2026!", "guessable"),
    ("qwertyuiopasdfghjklzxcvbnm1234567890", "guessable"),
    ("welkom-bij-lesmark-dit-is-onze-geheime-sleutel-2026", "guessable"),
    ("kJ3v_Qp8ZrT1xWm9-LcY4sNd0Hb", "fewer than 32 characters"),
])
def test_production_refuses_a_weak_secret_key_and_says_how_to_make_one(production, monkeypatch, key, reason):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(UnsafeConfig) as refused:
        create_app(production)
    message = str(refused.value)
    assert reason in message
    assert 'python -c "import secrets; print(secrets.token_urlsafe(48))"' in message


def test_keys_made_by_the_recommended_command_are_always_accepted():
    assert all(secret_key_problem(secrets.token_urlsafe(48)) is None for _ in range(50))


def test_production_refuses_debug(production, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(UnsafeConfig, match="debug"):
        create_app(production)


def test_production_refuses_a_rate_limit_store_that_each_worker_keeps_for_itself(production, monkeypatch):
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(UnsafeConfig, match="RATELIMIT_STORAGE_URI is memory://"):
        create_app(production)


def test_production_with_safe_settings_starts_with_secure_cookies_and_no_demo(production):
    app = create_app(production)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["DEMO_ACCOUNTS"] is False
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "never created when LESMARK_ENV=production" in result.output


def test_session_timeouts_have_defaults_and_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("LESMARK_SESSION_IDLE_MINUTES", raising=False)
    monkeypatch.delenv("LESMARK_SESSION_LIFETIME_HOURS", raising=False)
    config = {"INSTANCE_PATH": tmp_path, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"}
    app = create_app(config)
    assert (app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_LIFETIME_HOURS"]) == (30, 12)
    monkeypatch.setenv("LESMARK_SESSION_IDLE_MINUTES", "45")
    monkeypatch.setenv("LESMARK_SESSION_LIFETIME_HOURS", "8")
    app = create_app(config)
    assert (app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_LIFETIME_HOURS"]) == (45, 8)


@pytest.mark.parametrize("value", ["0", "-5", "thirty", "³"])
def test_a_session_timeout_that_is_not_a_positive_whole_number_is_refused(monkeypatch, tmp_path, value):
    monkeypatch.setenv("LESMARK_SESSION_IDLE_MINUTES", value)
    with pytest.raises(UnsafeConfig, match="LESMARK_SESSION_IDLE_MINUTES must be a whole number"):
        create_app({"INSTANCE_PATH": tmp_path})


def test_database_url_uses_psycopg3_for_postgres_and_sqlite_by_default(tmp_path):
    from app.config import database_url

    assert database_url(None, tmp_path) == f"sqlite:///{tmp_path / 'lesmark.sqlite'}"
    assert database_url("postgres://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h:5432/db", tmp_path) == "postgresql+psycopg://u@h:5432/db"
    assert database_url("postgresql+psycopg://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
