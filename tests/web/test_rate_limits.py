"""Per-address limits in a real Redis shared by every worker: generous enough for a class behind one
school NAT, while guessing at one account is stopped by the account throttle, whatever the address."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import redis
from sqlalchemy import select

from app.extensions import db, limiter
from app.models import User
from app.services import accounts, tokens
from tests.conftest import PASSWORD, make_app

from ..support import ROOT, csrf_token, login

SCHOOL = "203.0.113.7"  # one NAT address for a whole school


@pytest.fixture(scope="module")
def limited_app(tmp_path_factory, redis_server):
    app = make_app(tmp_path_factory, None, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_server.url)
    yield app
    # Flask-Limiter keeps one state for every app in the process; the other test apps run without it.
    limiter.enabled = False
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def limited(limited_app, redis_server):
    redis_server.flush()
    default = limited_app.config["LOGIN_RATE_LIMIT"]
    yield limited_app
    limited_app.config["LOGIN_RATE_LIMIT"] = default


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def make_students(app, prefix: str, count: int) -> list[str]:
    with app.app_context():
        return [accounts.register(f"{prefix}{i}", f"Student {i}", PASSWORD).username for i in range(count)]


def test_thirty_students_behind_one_address_all_log_in_within_a_minute_even_with_a_typo_each(limited):
    students = make_students(limited, "klas1-", 30)
    started = time.monotonic()
    statuses = []
    for name in students:
        client = client_at(limited, SCHOOL)
        statuses.append(login(client, name, PASSWORD + "x").status_code)  # a typo first
        statuses.append(login(client, name, PASSWORD).status_code)
        assert client.get("/account/").status_code == 200  # logged in
    assert time.monotonic() - started < 60
    assert statuses == [400, 303] * 30


def test_a_whole_class_registers_from_one_address_even_with_one_refused_password_each(limited):
    statuses = []
    for i in range(30):
        client = client_at(limited, SCHOOL)
        token = csrf_token(client, "/register")
        for password in ("Welkom2026!!", "tulp fiets zeven regen"):
            statuses.append(client.post("/register", data={
                "csrf_token": token, "display_name": f"Leerling {i}", "username": f"klas2-{i}",
                "password": password, "confirm": password}).status_code)
    assert statuses == [400, 303] * 30


def test_the_address_limit_still_exists_and_is_per_address(limited):
    limited.config["LOGIN_RATE_LIMIT"] = "5 per minute"
    school, home = client_at(limited, SCHOOL), client_at(limited, "198.51.100.20")
    statuses = [login(school, f"nobody{i}", "wrong password").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]
    assert "Too many attempts" in login(school, "nobody9", "wrong password").get_data(as_text=True)
    assert login(home, "nobody10", "wrong password").status_code == 400


def test_sixty_guesses_at_one_account_from_sixty_addresses_are_refused_after_five(limited):
    [name] = make_students(limited, "target-", 1)
    statuses = [login(client_at(limited, f"10.0.{i // 250}.{i % 250 + 1}"), name, f"guess {i}").status_code
                for i in range(60)]
    assert statuses == [400] * 5 + [429] * 55
    # the owner, from yet another address and with the right password, waits too (for at most 15 min)
    assert login(client_at(limited, "192.0.2.99"), name, PASSWORD).status_code == 429


WORKER = """
import json, sys
from app import create_app
from tests.support import login
app = create_app({"TESTING": True, "RATELIMIT_ENABLED": True, "INSTANCE_PATH": sys.argv[1],
                  "SQLALCHEMY_DATABASE_URI": sys.argv[2], "CONTENT_ROOT": sys.argv[1]})
client = app.test_client()
client.environ_base["REMOTE_ADDR"] = sys.argv[3]
print(json.dumps([login(client, f"worker{i}", "wrong password").status_code for i in range(3)]))
"""


def test_limits_live_in_redis_so_another_worker_process_counts_on(limited, redis_server):
    limited.config["LOGIN_RATE_LIMIT"] = "5 per minute"
    address = "198.51.100.9"
    here = client_at(limited, address)
    assert [login(here, f"first{i}", "wrong password").status_code for i in range(3)] == [400] * 3
    stored = redis.Redis.from_url(redis_server.url).get(f"LIMITS:LIMITER/{address}/auth.login/5/1/minute")
    assert stored == b"3"  # the counter is in Redis, not in this process
    env = {**os.environ, "RATELIMIT_STORAGE_URI": redis_server.url, "LESMARK_LOGIN_RATE_LIMIT": "5 per minute",
           "LESMARK_ENV": "development"}
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, str(limited.instance_path), limited.config["SQLALCHEMY_DATABASE_URI"], address],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(worker.stdout.strip().splitlines()[-1]) == [400, 400, 429]


def test_rate_limit_headers_come_with_limited_views_only_and_every_limit_is_on_those_blueprints(limited):
    from flask_limiter.util import get_qualified_name

    from app.security import RATE_LIMITED_BLUEPRINTS

    # Flask-Limiter's response hooks run only for these blueprints (app/security.py): a limit declared
    # on a view anywhere else would be checked without its headers; this keeps that from happening
    manager = limiter.limit_manager
    limited_endpoints = {endpoint for endpoint, view in limited.view_functions.items()
                         if manager._decorated_limits.get(get_qualified_name(view))}
    assert limited_endpoints >= {"auth.login", "auth.register"}
    assert {endpoint.split(".")[0] for endpoint in limited_endpoints} <= set(RATE_LIMITED_BLUEPRINTS)
    assert set(manager._blueprint_limits) <= set(RATE_LIMITED_BLUEPRINTS)
    client = client_at(limited, "198.51.100.77")
    refused = login(client, "nobody-headers", "wrong password")
    assert refused.status_code == 400 and int(refused.headers["X-RateLimit-Remaining"]) >= 0
    assert "X-RateLimit-Limit" not in client.get("/").headers
    [name] = make_students(limited, "api-headers-", 1)
    with limited.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == name))
        secret = tokens.create(user_id, "headers", ["read"], None).secret
    api = client.get("/api/v1/courses", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200 and int(api.headers["X-RateLimit-Remaining"]) >= 0
