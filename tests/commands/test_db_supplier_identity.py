"""The migration that makes the clinic profile the one home of the supplier's legal name and
address (migrations/versions/…_d2b6f9a4c1e8): billing's copies carried over as its docstring
defines, and back again on downgrade; on SQLite and on PostgreSQL (.ci/with-postgres.sh)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dme_service.commands.db import alembic_config, upgrade
from dme_service.db import get_engine

BEFORE, AFTER = "c8f2a6d41e73", "d2b6f9a4c1e8"


@pytest.fixture
def engine(empty_app):
    engine = get_engine(empty_app)
    upgrade(engine, BEFORE)
    return engine


def downgrade(engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def add_clinic(connection, clinic_id: int, name: str, address: str | None) -> None:
    connection.execute(
        text(
            "INSERT INTO clinics (id, name, address, timezone, patient_link_days, default_lang)"
            " VALUES (:id, :name, :address, 'America/Chicago', 90, 'en')"
        ),
        {"id": clinic_id, "name": name, "address": address},
    )


def add_billing(connection, clinic_id: int, **values) -> None:
    row = {
        "legal_name": None,
        "address_line1": None,
        "city": None,
        "state": None,
        "zip": None,
        **values,
    }
    connection.execute(
        text(
            "INSERT INTO clinic_billing (clinic_id, legal_name, address_line1, city, state, zip,"
            " phone, last_control_number, production_files) VALUES (:clinic_id, :legal_name,"
            " :address_line1, :city, :state, :zip, '555-555-0100', 0, false)"
        ),
        {"clinic_id": clinic_id, **row},
    )


def clinics(engine) -> dict[int, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, name, legal_name, address FROM clinics"))
        return {row[0]: tuple(row[1:]) for row in rows}


def billing(engine) -> dict[int, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT clinic_id, legal_name, address_line1, city, state, zip, phone"
                " FROM clinic_billing"
            )
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def test_billings_legal_name_and_address_move_to_the_profile_and_back(engine):
    with engine.begin() as connection:
        # 1: billing kept another legal name and the address with the ZIP+4 it added.
        add_clinic(connection, 1, "Lakeside Spine & PT", "2 Lake St\nSpringfield, IL 62701")
        add_billing(
            connection,
            1,
            legal_name="Lakeside Spine and PT LLC",
            address_line1="2 Lake St",
            city="Springfield",
            state="IL",
            zip="627011234",
        )
        # 2: billing followed the profile (nothing of its own).
        add_clinic(connection, 2, "River PT", "9 Shore Rd, Suite 4, Dayton, OH 45402-1234")
        add_billing(connection, 2)
        # 3: billing's copies read as the profile's (case and punctuation aside), and its
        # legal name is the clinic's name: nothing changes on the profile.
        add_clinic(connection, 3, "Hill Clinic", "1 Hill Rd, Akron, OH 44301-1234")
        add_billing(
            connection,
            3,
            legal_name="Hill Clinic",
            address_line1="1 HILL RD",
            city="AKRON",
            state="OH",
            zip="44301-1234",
        )
        # 4: no billing row at all.
        add_clinic(connection, 4, "Quiet Clinic", "5 Elm St, Erie, PA 16501")

    upgrade(engine, AFTER)
    assert clinics(engine) == {
        1: (
            "Lakeside Spine & PT",
            "Lakeside Spine and PT LLC",
            "2 Lake St, Springfield, IL 62701-1234",
        ),
        2: ("River PT", None, "9 Shore Rd, Suite 4, Dayton, OH 45402-1234"),
        3: ("Hill Clinic", None, "1 Hill Rd, Akron, OH 44301-1234"),
        4: ("Quiet Clinic", None, "5 Elm St, Erie, PA 16501"),
    }
    with engine.connect() as connection:
        columns = connection.execute(text("SELECT * FROM clinic_billing")).keys()
    assert not {"legal_name", "address_line1", "city", "state", "zip"} & set(columns)
    assert "phone" in columns  # the billing contact's own

    downgrade(engine, BEFORE)
    assert billing(engine) == {
        1: ("Lakeside Spine and PT LLC", None, None, None, None, "555-555-0100"),
        # The older reader kept only "9 Shore Rd": billing keeps the whole street instead.
        2: (None, "9 Shore Rd, Suite 4", "Dayton", "OH", "454021234", "555-555-0100"),
        3: (None, None, None, None, None, "555-555-0100"),
    }
    with engine.connect() as connection:
        columns = connection.execute(text("SELECT * FROM clinics")).keys()
    assert "legal_name" not in columns


def test_downgrade_keeps_a_legal_name_given_on_the_profile_of_a_clinic_without_billing(engine):
    upgrade(engine, AFTER)
    with engine.begin() as connection:
        add_clinic(connection, 7, "Shore PT", "3 Bay Rd, Erie, PA 16501")
        connection.execute(text("UPDATE clinics SET legal_name = 'Shore PT Inc' WHERE id = 7"))
    downgrade(engine, BEFORE)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT legal_name, last_control_number FROM clinic_billing WHERE clinic_id = 7")
        ).one()
    assert tuple(found) == ("Shore PT Inc", 0)
    upgrade(engine, AFTER)
    assert clinics(engine)[7] == ("Shore PT", "Shore PT Inc", "3 Bay Rd, Erie, PA 16501")
