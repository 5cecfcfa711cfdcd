"""The WSGI entry point: `gunicorn wsgi:app` (see `make serve` and gunicorn.conf.py).

The PDF renderer is warmed here: fonts, the stylesheets and the specimen documents' fixed
sentences (documents/specimen.py), about 1.6 s of CPU. gunicorn.conf.py preloads this module in
the master, so that happens once and every worker (and every recycled one) is forked warm;
every bounded render forks from the worker's warm renderer in turn.
"""

from dme_service import create_app
from dme_service.documents.render import warm_up

app = create_app()
warm_up()
