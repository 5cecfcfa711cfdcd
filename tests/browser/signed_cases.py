"""A case its practitioner has signed, set up through the services for the browser tests that
start from a signature: the people, their sign-in details, and the practitioner signing again.

The set-up leaves no transaction open when it returns: on SQLite an open one would hold the
write lock the live server needs.
"""

from __future__ import annotations

from types import SimpleNamespace

from services.claim_cases import stored_case

from dme_service.db import get_session
from dme_service.models import Case, User
from dme_service.services import signing


def alvarez_and_okafor(make_user, *, billing: bool = False) -> dict:
    """Maria Alvarez, PT writes the case; Daniel Okafor, MD signs it; Priya Nair bills it."""
    people = {
        "clinician": make_user("clinician", credential="PT", name="Maria Alvarez"),
        "practitioner": make_user("practitioner", credential="MD", name="Daniel Okafor"),
    }
    if billing:
        people["billing"] = make_user("billing", name="Priya Nair")
    return people


def reyes_and_greene(make_user) -> dict:
    """The invented clinic of the README's screenshots (never a real patient or clinician):
    Dana Reyes, PT writes the case; Dr. Samuel Greene signs it."""
    return {
        "clinician": make_user("clinician", credential="PT", name="Dana Reyes, PT"),
        "practitioner": make_user("practitioner", credential="MD", name="Dr. Samuel Greene"),
    }


def reyes_greene_and_nair(make_user) -> dict:
    """The screenshots' clinic with its biller, Priya Nair."""
    return {**reyes_and_greene(make_user), "billing": make_user("billing", name="Priya Nair")}


def sign_ins(people: dict) -> dict:
    """Each person's id, e-mail and password, readable once their session is gone."""
    return {
        key: SimpleNamespace(id=user.id, email=user.email, password=user.password)
        for key, user in people.items()
    }


def sign_stored_case(app, people: dict, then=None, **changes):
    """An eligible case written by the clinician and signed by the practitioner; `changes` to
    the case document's top level (a payer).

    `then(session, case, people)` runs after the signature in the same session (documents
    made, a patient's link); returns (sign-in details, case id, what `then` returned).
    """
    with app.app_context():
        session = get_session()
        case = stored_case(session, people["clinician"], people["practitioner"], **changes)
        case_id = case.id
        signing.sign(session, case_id, people["practitioner"], expected_version=case.version)
        made = then(session, session.get(Case, case_id), people) if then else None
        logins = sign_ins(people)
        session.rollback()
    return logins, case_id, made


def sign_again(app, logins: dict, case_id: int) -> None:
    """The practitioner signs the case as it is now (through the service)."""
    with app.app_context():
        session = get_session()
        case = session.get(Case, case_id)
        practitioner = session.get(User, logins["practitioner"].id)
        signing.sign(session, case_id, practitioner, expected_version=case.version)
        session.rollback()
