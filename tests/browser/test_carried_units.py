"""A prior unit carried into an order the practitioner signed, in a real Chromium: after billing
records the delivery of the patient's earlier unit, the practitioner's home page lists the
signed order under "Orders you signed that were given a prior unit" and its sign page says what
was added and that the signature stands; both pages pass axe-core.
"""

from __future__ import annotations

import pytest

from browser.pages import open_as, require_axe, serious_violations, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def team(team, make_user):
    """The screenshots' clinic (conftest's team) with a biller."""
    return {**team, "billing": make_user("billing", name="Bo Billing")}


def carried_into_signed_order(app, team, monkeypatch) -> tuple[int, int]:
    """The patient's later order, signed; then billing records the delivery of the earlier
    case's unit, which carries it into the later one. Returns (earlier, later) ids."""
    from services.claim_cases import fake_render, stored_case

    from dme_service.db import get_session
    from dme_service.models import Case
    from dme_service.services import signing
    from dme_service.services.billing import claim as billing

    monkeypatch.setattr(signing, "_render_signed", fake_render)
    with app.app_context():
        db = get_session()
        earlier = stored_case(db, team["clinician"], team["practitioner"])
        later = stored_case(db, team["clinician"], team["practitioner"])
        signing.sign(db, later.id, team["practitioner"], expected_version=later.version)
        earlier = db.get(Case, earlier.id)
        earlier.billing_state = "submitted"
        db.commit()
        delivery = {"date": "2026-11-21", "method": "in_clinic", "received_by": "Jane"}
        billing.transition(
            db, earlier.id, "paid", team["billing"], expected_version=earlier.version,
            delivery=delivery,
        )  # fmt: skip
        return earlier.id, later.id


def test_the_practitioner_sees_the_unit_carried_into_the_order_they_signed(
    app, live_server, browser, team, monkeypatch
):
    earlier, later = carried_into_signed_order(app, team, monkeypatch)
    page = open_as(browser, live_server, team["practitioner"])
    box = page.locator("#carried-units")
    assert "Orders you signed that were given a prior unit" in box.inner_text()
    assert f"from case {earlier}" in box.inner_text()
    shot(page, "carried-units-home")
    assert serious_violations(page) == []
    box.get_by_role("link", name="Jane Q. Doe").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/signing/cases/{later}")
    notice = page.locator("#carried-units")
    assert "A prior unit was added after you signed" in notice.inner_text()
    assert "Your signature stands" in notice.inner_text()
    shot(page, "carried-units-sign-page")
    assert serious_violations(page) == []
    assert page.errors == []
    require_axe()
