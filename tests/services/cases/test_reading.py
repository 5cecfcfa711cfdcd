"""Reading cases: a case of another clinic is not found (AC-2); the search filters and orders
the clinic's cases."""

from __future__ import annotations

import pytest

from dme_service.services.cases import reading
from dme_service.store.cases import CaseNotFound
from services.case_steps import new_case, standard_case


def test_other_clinics_case_is_not_found(db_session, clinician, make_user):
    from dme_service.models import Clinic

    other = Clinic(name="Elsewhere")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("clinician", clinic_id=other.id)
    case = new_case(db_session, clinician)
    with pytest.raises(CaseNotFound):
        reading.read_case(db_session, stranger, case.id)


def test_search_finds_by_name_and_status_newest_first(db_session, clinician, signer):
    eligible = standard_case(db_session, clinician, signer)
    draft = new_case(db_session, clinician, name="Zebulon Testpatient")
    found = reading.search_cases(db_session, clinician, reading.CaseSearch(name="zebulon"))
    assert [c.id for c in found] == [draft.id]
    found = reading.search_cases(db_session, clinician, reading.CaseSearch(status="eligible"))
    assert [c.id for c in found] == [eligible.id]
    everything = reading.search_cases(db_session, clinician, reading.CaseSearch())
    assert [c.id for c in everything] == [draft.id, eligible.id]
