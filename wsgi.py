"""The WSGI entry point: `gunicorn wsgi:app` (see `make serve`)."""

from dme_service import create_app

app = create_app()
