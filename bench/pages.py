"""Page speed in process: the case page at most 15 ms of CPU, a diagnosis
search request at most 3 ms.

A fresh SQLite database with the demo clinic, the clinician signed in through the test client.
The case page is a realistic one: the demo's signed Medicare case with three diagnoses, four
trials (an earlier over-door trial, a clinic mechanical trial, the two home-unit trials), its
signed letter and order, and patient instructions (English and Spanish) and the billing
packet made after signing.
Each page is asked for 30 times after one warm-up, CPU time of this process per request
(time.process_time; the machine is shared), median.

Each round also asks for the sign-in page, the same stack (session, CSRF, base template) with
nothing of the case: the case page is reported as a ratio to it too, measured in the same run,
so a slower or busier machine shows in both figures. `make load` measures the same pages under
50 users.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from unittest import mock

ROUNDS = 30
PAGES = {
    "case page": ("/cases/1", 15.0),
    "case list": ("/cases", None),
    "diagnosis search request": ("/cases/codes?q=herniated%20disc%20neck", 3.0),
}
BASELINE = "/login"
# What the first demo case gets on top of its own facts (its two over-door trials stay latest).
MORE_DIAGNOSES = ["M47.812", "M50.321"]
EARLIER_TRIALS = [
    {"days_before": 7, "device": "E0860", "position": "seated", "force_lb": 8, "minutes": 10,
     "pain_before": 6, "pain_after": 5, "peripheralization": False, "new_neuro_signs": False,
     "use_demonstrated": True, "tolerated": True},
    {"days_before": 5, "device": "mechanical", "position": "supine", "force_lb": 15,
     "minutes": 15, "pain_before": 7, "pain_after": 4, "peripheralization": False,
     "new_neuro_signs": False},
]  # fmt: skip
DOCUMENTS_AFTER_SIGNING = (("instructions", "en"), ("instructions", "es"), ("packet", "en"))


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="dme-bench-pages-") as folder:
        os.environ["DME_INSTANCE_PATH"] = os.path.join(folder, "instance")
        os.environ["DME_LOG_LEVEL"] = "WARNING"
        client = _signed_in_client(f"sqlite:///{folder}/bench.sqlite3")
        anonymous = client.application.test_client()
        for kind, lang in DOCUMENTS_AFTER_SIGNING:
            made = client.post("/cases/1/documents", data={"kind": kind, "lang": lang})
            assert made.status_code == 303, (kind, made.status_code)
        results = {}
        for name, (path, goal) in PAGES.items():
            client.get(path)
            anonymous.get(BASELINE)
            times, baseline = [], []
            for _ in range(ROUNDS):
                baseline.append(_cpu_ms(anonymous, BASELINE))
                times.append(_cpu_ms(client, path))
            value = statistics.median(times)
            entry = {"value": value, "unit": "ms CPU"}
            if goal is not None:
                entry.update(goal=f"<= {goal}", ok=value <= goal)
            results[f"{name} (median of {ROUNDS})"] = entry
            if name == "case page":
                base = statistics.median(baseline)
                results["sign-in page, the baseline (median)"] = {"value": base, "unit": "ms CPU"}
                results["case page ÷ sign-in page"] = {"value": value / base, "unit": "x"}
    return results


def _cpu_ms(client, path: str) -> float:
    start = time.process_time()
    response = client.get(path)
    spent = (time.process_time() - start) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return spent


def _rich_documents(documents: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The demo documents, the first one with more diagnoses and earlier trials."""
    from datetime import date, timedelta

    first = documents[0][1]
    first["diagnoses"] = first["diagnoses"] + MORE_DIAGNOSES
    start = min(date.fromisoformat(trial["date"]) for trial in first["trials"])
    earlier = []
    for spec in EARLIER_TRIALS:
        trial = {key: value for key, value in spec.items() if key != "days_before"}
        trial["date"] = (start - timedelta(days=spec["days_before"])).isoformat()
        earlier.append(trial)
    first["trials"] = earlier + first["trials"]
    return documents


def _signed_in_client(url: str):
    from sqlalchemy.orm import Session

    from dme_service import create_app
    from dme_service.commands import demo
    from dme_service.commands.db import upgrade
    from dme_service.db import get_engine

    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
    upgrade(get_engine(app))
    rich = _rich_documents(demo.demo_documents())
    with (
        mock.patch.object(demo, "demo_documents", lambda: rich),
        Session(get_engine(app)) as session,
    ):
        passwords = demo.seed(session)
        session.commit()
    client = app.test_client()
    email = "pt@demo.clinic"
    client.post("/login", data={"email": email, "password": passwords[email]})
    return client
