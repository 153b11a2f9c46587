"""Fixtures: an app per database backend (SQLite and a throwaway PostgreSQL), users, clients."""

from __future__ import annotations

import itertools
import shutil
import subprocess

import pytest
from flask_migrate import upgrade
from jinja2 import StrictUndefined

from app import create_app
from app.extensions import db
from app.services import accounts
from app.services.content_store import sync_files

from .support import (
    ROOT,
    CheckedClient,
    PostgresCluster,
    RedisServer,
    login,
    missing,
    watching_server_errors,
)

PASSWORD = "correct horse battery"
_names = itertools.count(1)
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_cluster():
    if shutil.which("runuser") is None:
        missing("runuser (to start PostgreSQL as the postgres user)")
    try:
        cluster = PostgresCluster()
        cluster.start()
    except (FileNotFoundError, OSError) as exc:
        missing(f"PostgreSQL ({exc})")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def redis_server():
    """A real Redis (rate limits shared by workers); missing fails in CI, skips locally."""
    try:
        server = RedisServer()
        server.start()
    except (FileNotFoundError, OSError, subprocess.SubprocessError) as exc:
        missing(f"Redis ({exc})")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fail_on_server_errors(request):
    """Any exception in a request, ERROR log record of the app or 5xx answer fails the test that
    caused it, with the traceback. A test that provokes one on purpose asks for
    `expected_server_errors` and checks what it got."""
    with watching_server_errors() as errors:
        yield errors
        if errors and "expected_server_errors" not in request.fixturenames:
            pytest.fail(f"unexpected server error(s):\n{errors.report()}", pytrace=False)


@pytest.fixture()
def expected_server_errors(fail_on_server_errors):
    """This test provokes a server error on purpose: the errors seen so far, for its own asserts."""
    return fail_on_server_errors


def make_app(tmp_path_factory, database_url: str | None, **overrides):
    instance = tmp_path_factory.mktemp("instance")
    # PROPAGATE_EXCEPTIONS off: requests answer like in production (the friendly 500 page), and
    # fail_on_server_errors turns the exception into a failed test.
    config = {"SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{instance / 'test.sqlite'}",
              "INSTANCE_PATH": instance, "TESTING": True, "PROPAGATE_EXCEPTIONS": False,
              "RATELIMIT_ENABLED": False, "CONTENT_ROOT": ROOT, **overrides}
    app = create_app(config)
    app.jinja_env.undefined = StrictUndefined  # a misspelt variable is an error, not an empty string
    app.test_client_class = CheckedClient
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))  # the real migrations, not create_all()
        sync_files(app.config["CONTENT_ROOT"])
    return app


def close_app(app) -> None:
    """Close the app's database connections (a PostgreSQL database can then be dropped)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory):
    """One SQLite app with the real content, for tests that need a single backend (browser, i18n)."""
    app = make_app(tmp_path_factory, None)
    yield app
    close_app(app)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    """The app with the real course content, once per backend; tests isolate by their own users."""
    url = None
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.create_database("lesmark_web")
    app = make_app(tmp_path_factory, url)
    yield app
    close_app(app)


@pytest.fixture(params=["sqlite", "postgresql"])
def app_on_content(request, tmp_path_factory):
    """A factory, once per backend: `app_on_content(root)` is an app on a fresh database whose content
    root is the tree `root` (synced once; `app.content_root` names it). Its apps are closed after the test."""
    made = []

    def build(root):
        url = None
        if request.param == "postgresql":
            url = request.getfixturevalue("postgres_cluster").create_database(f"content_{next(_databases)}")
        app = make_app(tmp_path_factory, url, CONTENT_ROOT=root)
        app.content_root = root
        made.append(app)
        return app

    yield build
    for app in made:
        close_app(app)


@pytest.fixture()
def client(app):
    return app.test_client()


def new_user(app, role: str = "student"):
    name = f"user{next(_names)}"
    with app.app_context():
        user = accounts.register(name, f"Test {name}", PASSWORD, role)
        return user.id, name


@pytest.fixture()
def student(app, client):
    """A fresh student, logged in on `client`. Returns (user id, username)."""
    user_id, name = new_user(app)
    response = login(client, name, PASSWORD)
    assert response.status_code == 303
    return user_id, name


@pytest.fixture()
def other_client(app):
    """A second browser, logged in as another student."""
    c = app.test_client()
    _user_id, name = new_user(app)
    assert login(c, name, PASSWORD).status_code == 303
    return c
