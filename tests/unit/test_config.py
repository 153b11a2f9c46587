"""Production refuses unsafe settings."""

import pytest

from app import create_app
from app.config import UnsafeConfig


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.setenv("LESMARK_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(UnsafeConfig, match="SECRET_KEY"):
        create_app()


def test_production_refuses_debug(monkeypatch):
    monkeypatch.setenv("LESMARK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(UnsafeConfig, match="debug"):
        create_app()


def test_production_with_safe_settings_starts_with_secure_cookies_and_no_demo(monkeypatch, tmp_path):
    monkeypatch.setenv("LESMARK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({"INSTANCE_PATH": tmp_path, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["DEMO_ACCOUNTS"] is False
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "never created when LESMARK_ENV=production" in result.output


def test_database_url_uses_psycopg3_for_postgres_and_sqlite_by_default(tmp_path):
    from app.config import database_url

    assert database_url(None, tmp_path) == f"sqlite:///{tmp_path / 'lesmark.sqlite'}"
    assert database_url("postgres://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h:5432/db", tmp_path) == "postgresql+psycopg://u@h:5432/db"
    assert database_url("postgresql+psycopg://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
