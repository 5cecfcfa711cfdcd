"""The simulated users of `make load`: clinicians, the practitioner, billing and patients.

Each goes through the real pages with the real forms (CSRF tokens and all, read from the
HTML): sign in, case list and case page, section saves, diagnosis search, documents, signing,
the billing queue and moves, a patient link and the patient's log. Users are spread over the
app nodes (LOAD_NODES). Every acknowledged write (a 303 or the link page) is recorded with its
X-Request-Id and the audit action it must have written, for the reconciliation afterwards.
A 409 (someone else saved first) or a refused move is an answer, not a failure; any 5xx is.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import date
from pathlib import Path

from locust import HttpUser, between, events, task

from bench.load.forms import form_for, forms

NODES = os.environ.get("LOAD_NODES", "").split(",")
PEOPLE = (
    json.loads(Path(os.environ["LOAD_PEOPLE"]).read_text()) if "LOAD_PEOPLE" in os.environ else {}
)
ACKS: list[dict] = []
SERVER_ERRORS: list[str] = []
_spread = itertools.count()
SEARCHES = ("herniated disc neck", "radiculopathy c6", "neck pain", "spondylosis", "C5-C6 disc")


@events.test_stop.add_listener
def _write_acks(**_kwargs) -> None:
    with open(os.environ["LOAD_ACKS"], "w") as out:
        json.dump({"acks": ACKS, "server_errors": SERVER_ERRORS}, out)


class Staff(HttpUser):
    abstract = True
    wait_time = between(1, 4)
    role = ""

    def on_start(self) -> None:
        self.client.base_url = NODES[next(_spread) % len(NODES)]
        login = self.page("/login", "sign-in page")
        form = form_for(login, r"/login$")
        who = PEOPLE[self.role]
        self.submit(form, "sign in", email=who["email"], password=who["password"])

    # --- helpers --------------------------------------------------------------------------

    def page(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            self.judge(response, name)
            return response.text or ""

    def submit(self, form, name: str, *, expect: str | None = None, button=None, **changes):
        """POST the form as a browser would; record the write if it was acknowledged."""
        if form is None:
            return None
        data = form.data(button, **changes)
        with self.client.post(
            form.action, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            self.judge(response, name)
            location = response.headers.get("Location", "")
            unchanged = name == "section save" and "saved=" not in location
            # A save whose entries the case already holds (someone saved the same a moment
            # earlier) is answered like a save but writes nothing: not a write to reconcile.
            if expect and response.status_code in (200, 303) and not unchanged:
                ACKS.append(
                    {
                        "request_id": response.headers.get("X-Request-Id"),
                        "action": expect,
                        "step": name,
                    }
                )
            return response

    def judge(self, response, name: str) -> None:
        if response.status_code >= 500 or response.status_code == 0:
            SERVER_ERRORS.append(f"{name}: {response.status_code}")
            response.failure(f"{response.status_code} on {name}")
        else:  # 409 stale, 422 refused, 403/404: answers the user sees, not failures
            response.success()

    def a_case(self) -> int | None:
        html = self.page("/cases", "case list")
        ids = sorted(set(int(i) for i in re.findall(r'href="/cases/(\d+)"', html)))
        return random.choice(ids) if ids else None


class Clinician(Staff):
    weight = 6
    role = "clinician"

    @task(5)
    def open_a_case(self) -> None:
        self.page("/", "home")
        case_id = self.a_case()
        if case_id:
            self.page(f"/cases/{case_id}", "case page")

    @task(4)
    def save_a_section(self) -> None:
        case_id = self.a_case()
        if not case_id:
            return
        html = self.page(f"/cases/{case_id}", "case page")
        form = form_for(html, rf"/cases/{case_id}/save$")  # the case page's one Save
        if form is None:
            return
        weight = dict(form.fields).get("patient-weight_lb") or "160"
        new = str(int(float(weight)) + random.choice((-1, 1)))
        self.submit(
            form,
            "section save",
            expect="case.save.patient",
            button=("action", "save"),
            **{"patient-weight_lb": new},
        )

    @task(3)
    def search_diagnoses(self) -> None:
        query = random.choice(SEARCHES)
        self.page(f"/cases/codes?q={query}", "diagnosis search")

    @task(1)
    def create_a_document(self) -> None:
        case_id = self.a_case()
        if not case_id:
            return
        html = self.page(f"/cases/{case_id}/documents", "documents page")
        form = form_for(html, rf"/cases/{case_id}/documents$")
        if form is not None:
            self.submit(form, "create document", expect="document.render", kind="lmn")


class Practitioner(Staff):
    weight = 1
    role = "practitioner"

    @task
    def sign_what_waits(self) -> None:
        html = self.page("/", "home")
        waiting = sorted(set(re.findall(r'href="(/signing/cases/\d+)"', html)))
        if not waiting:
            return
        path = random.choice(waiting)
        form = form_for(self.page(path, "signing page"), re.escape(path) + "$")
        if form is None:
            return
        self.submit(
            form,
            "sign",
            expect="case.sign",
            password=PEOPLE["practitioner"]["password"],
            confirm="y",
        )


class Billing(Staff):
    weight = 2
    role = "billing"

    @task
    def work_the_queue(self) -> None:
        html = self.page("/billing/", "billing queue")
        claims = sorted(set(re.findall(r'href="(/billing/cases/\d+)"', html)))
        if not claims:
            return
        path = random.choice(claims)
        claim = self.page(path, "claim page")
        moves = [form for form in forms(claim) if form.action == path + "/move"]
        if not moves:
            return
        form = random.choice(moves)  # one form per move the claim allows now
        to_state = dict(form.fields).get("to_state")
        if to_state:
            self.submit(form, "billing move", expect=f"billing.{to_state}")


class Patient(Staff):
    """Signs in as the clinician once to print a link, then uses the link as the patient."""

    weight = 1
    role = "clinician"

    def on_start(self) -> None:
        super().on_start()
        self.token = None
        case_id = self.a_case()
        if not case_id:
            return
        html = self.page(f"/cases/{case_id}", "case page")
        form = form_for(html, rf"/cases/{case_id}/patient-link$")
        response = self.submit(form, "patient link", expect="patient_link.create")
        if response is not None and response.status_code == 200:
            found = re.search(r"/p\?t=([A-Za-z0-9_-]+)", response.text or "")
            self.token = found.group(1) if found else None
        if self.token:
            self.page(f"/p?t={self.token}", "patient opens link")

    @task
    def log_a_session(self) -> None:
        if not self.token:
            return
        form = form_for(self.page("/patient/log", "patient log page"), r"/patient/log$")
        self.submit(
            form,
            "patient log save",
            expect="home_log.create",
            date=date.today().isoformat(),
            minutes="15",
            force_lb="12",
            pain_before="5",
            pain_after="3",
        )
