"""The load test's tools: forms read from HTML as a browser submits them, request ids."""

from __future__ import annotations

from sqlalchemy import select

from bench.load.forms import form_for, forms
from dme_service.models import AuditEvent

PAGE = """
<form method="post" action="/cases/3/sections/patient">
  <input type="hidden" name="csrf_token" value="tok">
  <input name="patient-weight_lb" value="160">
  <input type="checkbox" name="flag" value="y" checked>
  <input type="checkbox" name="off" value="y">
  <input type="radio" name="pain" value="3"><input type="radio" name="pain" value="4" checked>
  <select name="payer"><option value="medicare">Medicare</option>
    <option value="aetna" selected>Aetna</option></select>
  <select name="lang"><option value="en">English</option>
    <option value="es">Spanish</option></select>
  <textarea name="note">
typed</textarea>
  <button type="submit" name="action" value="save">Save</button>
</form>
<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="t2"></form>
"""


def test_a_form_is_submitted_with_what_a_browser_would_send():
    form = form_for(PAGE, r"/sections/patient$")
    assert form.data(("action", "save"), **{"patient-weight_lb": "161"}) == [
        ("csrf_token", "tok"),
        ("patient-weight_lb", "161"),
        ("flag", "y"),
        ("pain", "4"),
        ("payer", "aetna"),
        ("lang", "en"),
        ("note", "typed"),
        ("action", "save"),
    ]
    assert [f.action for f in forms(PAGE)] == ["/cases/3/sections/patient", "/logout"]


def test_every_response_names_its_request_and_the_audit_row_carries_it(
    client, db_session, make_user
):
    user = make_user("clinician", credential="PT")
    response = client.post("/login", data={"email": user.email, "password": user.password})
    request_id = response.headers["X-Request-Id"]
    assert len(request_id) == 16 and client.get("/").headers["X-Request-Id"] != request_id
    login = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "session.login"))
    assert login.request_id == request_id
