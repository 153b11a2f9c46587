"""Lesmark: slide-based Markdown lessons with graded quizzes and per-goal progress."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import ROOT, check_production, from_environment
from .signing import KeyKeepingSessionInterface


def create_app(config: dict | None = None) -> Flask:
    settings = from_environment(config)
    check_production(settings)
    app = Flask(__name__, instance_path=str(settings["INSTANCE_PATH"]), instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.update(settings)
    app.session_interface = KeyKeepingSessionInterface()
    from .direct_submissions import DirectSubmissionServer
    from .kept_slides import KeptSlideServer

    # innermost, inside ProxyFix: they read the scheme and the address as Flask would
    app.wsgi_app = app.extensions["lesmark_kept_slides"] = KeptSlideServer(app, app.wsgi_app)
    app.wsgi_app = app.extensions["lesmark_direct_submissions"] = DirectSubmissionServer(app, app.wsgi_app)
    if settings.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # behind one TLS-terminating proxy: trust its X-Forwarded-For/-Proto/-Host
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    Path(settings["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)

    from . import database, i18n, logs, security
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.configure_engine(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    logs.init_app(app)

    from .views import register_blueprints

    register_blueprints(app)

    from .cli import register_cli

    register_cli(app)
    return app
