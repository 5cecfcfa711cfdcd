"""Page speed in process (issue 19 goals): the case page at most 15 ms of CPU, a diagnosis
search request at most 3 ms.

A fresh SQLite database with the demo clinic, the clinician signed in through the test client;
each page is asked for 30 times after one warm-up, CPU time of this process per request
(time.process_time; the machine is shared), median. `make load` measures the same pages under
50 users.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

ROUNDS = 30
PAGES = {
    "case page": ("/cases/1", 15.0),
    "case list": ("/cases", None),
    "diagnosis search request": ("/cases/codes?q=herniated%20disc%20neck", 3.0),
}


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="dme-bench-pages-") as folder:
        os.environ["DME_INSTANCE_PATH"] = os.path.join(folder, "instance")
        os.environ["DME_LOG_LEVEL"] = "WARNING"
        client = _signed_in_client(f"sqlite:///{folder}/bench.sqlite3")
        results = {}
        for name, (path, goal) in PAGES.items():
            client.get(path)
            times = []
            for _ in range(ROUNDS):
                start = time.process_time()
                response = client.get(path)
                times.append((time.process_time() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            value = statistics.median(times)
            entry = {"value": value, "unit": "ms CPU"}
            if goal is not None:
                entry.update(goal=f"<= {goal}", ok=value <= goal)
            results[f"{name} (median of {ROUNDS})"] = entry
    return results


def _signed_in_client(url: str):
    from sqlalchemy.orm import Session

    from dme_service import create_app
    from dme_service.commands.db import upgrade
    from dme_service.commands.demo import seed
    from dme_service.db import get_engine

    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
    upgrade(get_engine(app))
    with Session(get_engine(app)) as session:
        passwords = seed(session)
        session.commit()
    client = app.test_client()
    email = "pt@demo.clinic"
    client.post("/login", data={"email": email, "password": passwords[email]})
    return client
