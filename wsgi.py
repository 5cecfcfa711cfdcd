"""The WSGI entry point: `gunicorn wsgi:app` (see `make serve`).

Each worker warms its PDF renderer while it boots, before it takes a request: fonts, the
stylesheets and the specimen documents' fixed sentences (documents/specimen.py), about 1.6 s
of CPU once per worker. Every bounded render forks from this warm renderer.
"""

from dme_service import create_app
from dme_service.documents.renderer import get_renderer

app = create_app()
get_renderer().warm_up()
