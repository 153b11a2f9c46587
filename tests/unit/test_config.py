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
