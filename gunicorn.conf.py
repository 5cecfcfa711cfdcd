"""gunicorn settings for `make serve` (gunicorn reads this file from the working directory).

Workers that recycle for free (issue 19):
- `preload_app`: the master imports the app and warms the PDF renderer once (wsgi.py); each
  worker is a fork of that warm master, ready in milliseconds, so a recycled worker does not
  repeat the 1.4 s warm-up and the imports. Nothing in the master holds a database
  connection across the fork: `post_fork` drops the inherited pool (SQLAlchemy's advice for
  forked processes), so each worker opens its own.
- Staggered recycling: a worker still restarts after about `max_requests` requests (long-lived
  renderers drift in memory, security.md LOAD-1), but the first generation's budgets are spread
  evenly (with 2 workers: half, then the full budget), so the workers never restart together
  and one is always serving. While a worker restarts, new connections wait in the listen queue.
- Each worker runs the audit sealer (dme_service/audit_seal.py) every DME_AUDIT_SEAL_SECONDS.
- The warm master's objects (about 240,000: modules, templates, the app) are frozen out of the
  garbage collector before each fork (`gc.freeze`, as Python's gc documentation advises for a
  fork without exec). Otherwise every full collection in a worker walks them all: about 140 ms
  once every 60 or so case pages, a slow request that a median hides, and writing to their
  reference counts also copies the master's shared memory pages into each worker.

Worker class, timeouts and proxy settings live here too; the Makefile passes only --bind.
"""

from __future__ import annotations

import gc
import os
import random

wsgi_app = "wsgi:app"
workers = int(os.environ.get("DME_WORKERS", "2"))
worker_class = "sync"
timeout = 30
preload_app = True
max_requests = int(os.environ.get("DME_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 20
# Pen test I5: gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl by default, and a
# second instance on the same host silently took it over. The service needs none.
control_socket_disable = True
# Pen test M2: sync workers read requests themselves, so two slow clients (slowloris) held both
# for 30 s. gunicorn must sit behind the buffering proxy of deploy/nginx/ (SECURITY.md), which
# reads each request whole before passing it on; bind it to loopback or a private address only.
AUDIT_SEAL_SECONDS = float(os.environ.get("DME_AUDIT_SEAL_SECONDS", "60"))


def worker_budget(age: int, count: int, budget: int, jitter: int) -> int:
    """Requests a worker serves before it is replaced: the first `count` workers get evenly
    spread shares of the budget (1/count, 2/count, ... of it) so they never restart together;
    later ones the full budget, which keeps the spread. A small jitter on top."""
    if budget <= 0:
        return 0
    share = budget * age // count if age <= count else budget
    return max(1, share) + random.randint(0, jitter)  # noqa: S311 (spread, not a secret)


def pre_fork(server, worker) -> None:
    """In the master, before the fork: give the worker its staggered request budget, and
    leave the master's warm objects out of the worker's garbage collections."""
    gc.freeze()
    if server.cfg.max_requests > 0:
        worker.max_requests = worker_budget(
            worker.age, server.cfg.workers, server.cfg.max_requests, server.cfg.max_requests_jitter
        )


def post_fork(server, worker) -> None:
    """In the new worker: its own database connections, and the audit sealer thread."""
    from dme_service.audit_seal import start_sealer
    from dme_service.db import get_engine

    app = server.app.wsgi()
    engine = get_engine(app)
    engine.dispose(close=False)  # the master's pooled connections stay the master's
    if AUDIT_SEAL_SECONDS > 0:
        start_sealer(engine, AUDIT_SEAL_SECONDS)


def worker_exit(server, worker) -> None:
    """A recycled worker leaves at once: its state dies with it, and Python's own teardown
    of a large warm process (modules, atexit handlers) kept the master waiting seconds before
    it forked the replacement (measured 3 s on 2 busy cores)."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)
