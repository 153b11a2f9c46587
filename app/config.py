"""Settings from the environment. Production refuses unsafe values."""

from __future__ import annotations

import math
import os
import re
import string
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
        "BABEL_DEFAULT_LOCALE": "en",
        # The school's time zone: due dates are entered and shown in it, kept in UTC.
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("LESMARK_TIMEZONE", "Europe/Amsterdam"),
        "LANGUAGES": ("en", "nl", "hu", "fi"),  # the catalogues in app/translations
        "DEMO_ACCOUNTS": env != "production",
        "PROXY_FIX": os.environ.get("LESMARK_PROXY_FIX", "0") == "1",
        "LOG_FORMAT": os.environ.get("LESMARK_LOG_FORMAT", "json" if env == "production" else "text"),
        "LOG_LEVEL": os.environ.get("LESMARK_LOG_LEVEL", "INFO"),
        # kept content slides answered below Flask (app/kept_slides.py); 0 leaves every page to Flask
        "SERVE_KEPT_SLIDES": os.environ.get("LESMARK_SERVE_KEPT_SLIDES", "1") != "0",
        # complete final quizzes handed in below Flask (app/direct_submissions.py); 0: through Flask
        "SERVE_DIRECT_SUBMISSIONS": os.environ.get("LESMARK_SERVE_DIRECT_SUBMISSIONS", "1") != "0",
        # Server-side sessions (app/services/sessions.py): ended after this much inactivity, and
        # after this long in any case (a school day).
        "SESSION_IDLE_MINUTES": positive_int("LESMARK_SESSION_IDLE_MINUTES", 30),
        "SESSION_LIFETIME_HOURS": positive_int("LESMARK_SESSION_LIFETIME_HOURS", 12),
        # Per address, generous: a whole class behind one school NAT logs in or registers at once.
        # Guessing is stopped per account (app/services/throttle.py), not here.
        "LOGIN_RATE_LIMIT": os.environ.get("LESMARK_LOGIN_RATE_LIMIT", "100 per minute"),
        "REGISTER_RATE_LIMIT": os.environ.get("LESMARK_REGISTER_RATE_LIMIT", "100 per minute;300 per hour"),
    }
    config.update(overrides or {})
    check_timezone(config["BABEL_DEFAULT_TIMEZONE"])
    return config


def check_timezone(name: str) -> None:
    """Refuse a time zone that is not in the time zone database (every due date would be wrong):
    zoneinfo converts the teachers' input, pytz (under Flask-Babel) what pages show."""
    import pytz

    try:
        ZoneInfo(name)
        pytz.timezone(name)
    except (ZoneInfoNotFoundError, ValueError, pytz.UnknownTimeZoneError) as error:
        raise UnsafeConfig(f"refusing to start: LESMARK_TIMEZONE {name!r} is not a known time zone; "
                           "use a name such as Europe/Amsterdam, Europe/Helsinki or UTC") from error


def positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise UnsafeConfig(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


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
    problem = secret_key_problem(config["SECRET_KEY"] or "")
    if problem:
        raise UnsafeConfig(f"refusing to start: SECRET_KEY {problem}. Make one with: {MAKE_SECRET}")
    if str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        raise UnsafeConfig("refusing to start: RATELIMIT_STORAGE_URI is memory://, which every worker keeps "
                           "for itself; set it to a shared store such as redis://127.0.0.1:6379/0")


MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'  # noqa: S105 - advice, not a key
_SEPARATORS = " -_.,;:/+"
MIN_SECRET_LENGTH, MIN_SECRET_BITS, MIN_SECRET_DISTINCT = 32, 128, 10
_CHARACTER_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation + " ")


def secret_key_problem(secret: str) -> str | None:
    """Why a secret key is too weak, or None. Judged by length, variety, repetition and an entropy
    estimate in which words, keyboard runs, dates and repeats count as what zxcvbn says they cost."""
    if secret == DEV_SECRET:
        return "is the development key"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"has fewer than {MIN_SECRET_LENGTH} characters"
    if len(set(secret)) < MIN_SECRET_DISTINCT:
        return f"uses fewer than {MIN_SECRET_DISTINCT} different characters"
    if (secret + secret).find(secret, 1) < len(secret):
        return "is a short pattern repeated"
    if estimated_bits(secret) < MIN_SECRET_BITS:
        return f"is guessable (estimated below {MIN_SECRET_BITS} bits: words, sequences or dates)"
    return None


def estimated_bits(secret: str) -> float:
    from zxcvbn import zxcvbn  # only production start-up needs it

    from .services import passwords  # noqa: F401 - pure; registers the Dutch/Hungarian/Finnish word list

    total = 0.0
    # Word by word: a phrase is only as strong as its words, and zxcvbn alone would price
    # " horse " as seven random characters.
    for part in re.findall(f"[{re.escape(_SEPARATORS)}]+|[^{re.escape(_SEPARATORS)}]+", secret):
        if part[0] in _SEPARATORS:
            total += len(part)  # spaces or hyphens between words add next to nothing
            continue
        for start in range(0, len(part), 72):  # zxcvbn takes at most 72 characters at a time
            for match in zxcvbn(part[start:start + 72])["sequence"]:
                if match["pattern"] == "bruteforce":
                    total += len(match["token"]) * math.log2(_alphabet_size(match["token"]))
                else:
                    total += math.log2(max(float(match["guesses"]), 1.0))
    return total


def _alphabet_size(token: str) -> int:
    size = sum(len(chars) for chars in _CHARACTER_CLASSES if any(c in chars for c in token))
    return max(size + (100 if any(ord(c) > 127 for c in token) else 0), 2)
