"""dme_service: home cervical traction DME decisions, letters, orders and billing.

`create_app` is the table of contents of the web app. Importing the package stays light
(no Flask, SQLAlchemy or WeasyPrint) so `dme-service evaluate` starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dme_service.config import ROOT


def create_app(test_config: dict[str, Any] | None = None):
    """Build the Flask app: config, extensions, blueprints, error handlers, commands."""
    from flask import Flask

    from dme_service.config import instance_path_from_env, load_config

    app = Flask(
        __name__,
        instance_path=instance_path_from_env(),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)
    register_proxy_fix(app)
    register_logging(app)
    register_request_ids(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_proxy_fix(app) -> None:
    """Take the client's address, scheme and host from the DME_TRUSTED_PROXIES proxies in front.

    Sign-in throttling and the audit trail key on the client address, and patient links are
    built from the scheme and host; behind a proxy, without this, every client looks like the
    proxy and a TLS-terminated request looks like plain http. With 0 (the default) forwarded
    headers are ignored, since any client can send them.
    """
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_logging(app) -> None:
    """JSON-line logs (docs/security.md LOG-3)."""
    from dme_service.jsonlog import configure_logging

    configure_logging(app.config["LOG_LEVEL"])


def register_request_ids(app) -> None:
    """A random id per request: on its audit rows (docs/security.md LOG-1) and in the response's
    X-Request-Id header, so an acknowledged write can be found in the trail (`make load`
    reconciles by it) and a user's report matched to its rows."""
    import secrets

    from flask import g

    @app.before_request
    def _new_request_id() -> None:
        g.request_id = secrets.token_hex(8)

    @app.after_request
    def _send_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-Id"] = request_id
        return response


def register_extensions(app) -> None:
    """Bind the database, CSRF protection and the login manager to this app."""
    from dme_service.extensions import csrf, db, login_manager

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)


def register_blueprints(app) -> None:
    """Register the web blueprints (dme_service.web owns the list and the access table)."""
    from dme_service import web

    web.init_app(app)


def register_errorhandlers(app) -> None:
    """Error pages and JSON errors, each with an error id in the log (dme_service.web.errors)."""
    from dme_service.web import errors

    errors.init_app(app)


def register_commands(app) -> None:
    """`flask shell` gets the models and a Session; `flask dme ...` runs `dme-service ...`."""
    import click

    from dme_service import models
    from dme_service.cli import main
    from dme_service.db import get_session

    @app.shell_context_processor
    def _shell_context() -> dict[str, Any]:
        return {"models": models, "session": get_session()}

    @app.cli.command("dme", context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def _dme(args: tuple[str, ...]) -> None:
        """Run a `dme-service` subcommand."""
        raise SystemExit(main(list(args)))
