"""Settings from the environment. Production refuses unsafe values."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused in production below


class UnsafeConfig(RuntimeError):
    """Production was asked to start with a setting that is not safe."""


def from_environment(overrides: dict | None = None) -> dict:
    env = os.environ.get("LESMARK_ENV", "development")
    instance = Path(os.environ.get("LESMARK_INSTANCE", ROOT / "instance"))
    config = {
        "ENV_NAME": env,
        "DEBUG": os.environ.get("FLASK_DEBUG", "0") == "1",
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance),
        "CONTENT_ROOT": Path(os.environ.get("LESMARK_CONTENT", ROOT)),
        "INSTANCE_PATH": instance,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "PREFERRED_URL_SCHEME": "https" if env == "production" else "http",
        "MAX_CONTENT_LENGTH": 64 * 1024,  # forms only; nothing here uploads files
        "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ("en", "nl", "hu", "fi"),  # the catalogues in app/translations
        "DEMO_ACCOUNTS": env != "production",
        "PROXY_FIX": os.environ.get("LESMARK_PROXY_FIX", "0") == "1",
    }
    config.update(overrides or {})
    return config


def database_url(value: str | None, instance: Path) -> str:
    """DATABASE_URL, with plain postgres:// URLs sent to the psycopg 3 driver; SQLite by default."""
    if not value:
        return f"sqlite:///{instance / 'lesmark.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


def check_production(config: dict) -> None:
    if config["ENV_NAME"] != "production":
        return
    if config["DEBUG"]:
        raise UnsafeConfig("refusing to start: debug is on in production (unset FLASK_DEBUG)")
    secret = config["SECRET_KEY"] or ""
    if secret == DEV_SECRET or len(secret) < 32:
        raise UnsafeConfig("refusing to start: set SECRET_KEY to a random value of at least 32 characters")
