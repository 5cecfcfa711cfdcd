"""`dme-service serve`: the development server (Werkzeug, threaded, never the debugger).

Production runs gunicorn (`make serve`: `gunicorn -w 2 wsgi:app`); this command refuses
DME_ENV=production so the two are never confused.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port (default 5000)")


def run(args: argparse.Namespace) -> int:
    from dme_service import create_app

    app = create_app()
    if app.config["ENV_NAME"] == "production":
        print(
            "dme-service serve is the development server; in production run gunicorn "
            "(make serve, or gunicorn -w 2 wsgi:app)",
            file=sys.stderr,
        )
        return 2
    # debug=False always: the Werkzeug debugger executes code typed into the browser.
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    return 0
