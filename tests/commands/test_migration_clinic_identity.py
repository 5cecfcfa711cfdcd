"""The migration that gives the clinic's NPI and tax id one home carries existing values over:
what claims were sent with (clinic_billing) lands on the clinic profile, digits only."""

from __future__ import annotations

from sqlalchemy import inspect, text

from dme_service.commands.db import current_revision, head_revision, upgrade
from dme_service.db import get_engine

BEFORE = "e1a7c3b95d20"  # the clinic profile's columns exist; clinic_billing has its copies


def test_the_billing_npi_and_tax_id_move_to_the_clinic_profile(empty_app):
    engine = get_engine(empty_app)
    upgrade(engine, BEFORE)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO clinics (id, name, timezone, patient_link_days, default_lang, "
                "org_npi, tax_id) VALUES (1, 'A', 'America/Chicago', 90, 'en', NULL, NULL), "
                "(2, 'B', 'America/Chicago', 90, 'en', '1234567893', '11-1111111')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO clinic_billing (clinic_id, npi, tax_id, last_control_number) "
                "VALUES (1, '1922334457', '421234567', 0), (2, '1922334457', NULL, 0)"
            )
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, org_npi, tax_id FROM clinics ORDER BY id")).all()
    # Clinic 2: the NPI claims went out with wins; its own tax id (no billing copy) stays.
    assert [tuple(r) for r in rows] == [
        (1, "1922334457", "421234567"),
        (2, "1922334457", "11-1111111"),
    ]
    columns = {c["name"] for c in inspect(engine).get_columns("clinic_billing")}
    assert "npi" not in columns and "tax_id" not in columns
