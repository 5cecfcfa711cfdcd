"""Reading cases for the clinician's pages: one case opened, the clinic's case search, and the
clinic's practitioners who may sign. Every read of patient data is audited and committed
(docs/security.md LOG-1); every query keeps to the user's clinic (AC-2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from dme_service import audit
from dme_service.models import Case, Patient, User
from dme_service.store.cases import load_case


def read_case(session: Session, user: User, case_id: int) -> Case:
    """Open a case for its page; the PHI read is audited and committed (LOG-1)."""
    case = load_case(session, user, case_id, with_rows=True)
    audit.case_read(session, user, case)
    session.commit()
    return case


# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_ACTIVE = (
    select(User)
    .where(User.clinic_id == bindparam("clinic_id"), User.active.is_(True))
    .order_by(User.name)
)


def signers(session: Session, clinic_id: int) -> list[User]:
    """Active users of the clinic who may sign an order (42 CFR 410.38(c)(2)), by name."""
    return [user for user in session.scalars(_ACTIVE, {"clinic_id": clinic_id}) if user.may_sign]


@dataclass(frozen=True)
class CaseSearch:
    """The case list's filters; every one optional. `mine` keeps the user's own cases."""

    mine: bool = False
    name: str = ""
    date_of_birth: date | None = None
    payer: str = ""
    status: str = ""


def search_cases(session: Session, user: User, search: CaseSearch, limit: int = 200) -> list[Case]:
    """The clinic's cases matching the search, newest change first; the read is audited."""
    query = (
        select(Case)
        .join(Case.patient)
        .options(joinedload(Case.patient))
        .where(Case.clinic_id == user.clinic_id)
    )
    if search.mine:
        query = query.where(Case.author_id == user.id)
    if search.name.strip():
        needle = search.name.strip().lower()
        query = query.where(func.lower(Patient.name).contains(needle, autoescape=True))
    if search.date_of_birth is not None:
        query = query.where(Patient.date_of_birth == search.date_of_birth)
    if search.payer:
        query = query.where(Case.payer == search.payer)
    if search.status:
        query = query.where(Case.status == search.status)
    query = query.order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit)
    cases = list(session.scalars(query).unique())
    audit.record(session, user=user, action="case.search", object_type="case", object_id=None)
    session.commit()
    return cases
