"""The case a page is about: loaded in the signed-in user's clinic and role, or 404, so a page
never tells whether another clinic's case exists."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from dme_service.db import get_session
from dme_service.store.cases import CaseNotFound, load_case


def case_or_404(case_id: int):
    try:
        return load_case(get_session(), current_user, case_id)
    except CaseNotFound:
        abort(404)
