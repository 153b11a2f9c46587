"""Fixtures: an app per database backend (SQLite and a throwaway PostgreSQL), users, clients."""

from __future__ import annotations

import itertools
import shutil

import pytest
from flask_migrate import upgrade

from app import create_app
from app.content.loader import load_content
from app.extensions import db
from app.services import accounts
from app.services.content_sync import sync_content

from .support import ROOT, PostgresCluster, login, missing

PASSWORD = "correct horse battery"
_names = itertools.count(1)


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


def make_app(tmp_path_factory, database_url: str | None, **overrides):
    instance = tmp_path_factory.mktemp("instance")
    config = {"SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{instance / 'test.sqlite'}",
              "INSTANCE_PATH": instance, "TESTING": True, "RATELIMIT_ENABLED": False,
              "CONTENT_ROOT": ROOT, **overrides}
    app = create_app(config)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))  # the real migrations, not create_all()
        sync_content(load_content(app.config["CONTENT_ROOT"]))
    return app


@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory):
    """One SQLite app with the real content, for tests that need a single backend (browser, i18n)."""
    app = make_app(tmp_path_factory, None)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    """The app with the real course content, once per backend; tests isolate by their own users."""
    url = None
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.create_database("lesmark_web")
    app = make_app(tmp_path_factory, url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


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
