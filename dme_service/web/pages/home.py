"""Each role's home page after sign-in: the list that role works from every day.

Clinician: my cases; practitioner: orders awaiting my signature; billing: the billing queue
itself, with every billing page in its head (claim files, remittances, the money report, the
fee table, the clinic's billing identity), so a new biller finds the set-up from the first
page; admin: the clinic's users (and deactivation, which ends their sessions and API tokens).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from dme_service.db import get_session
from dme_service.services.accounts import users
from dme_service.services.cases import lists
from dme_service.services.patient import home_log
from dme_service.web.errors import Refused
from dme_service.web.forms import no_input_to_keep
from dme_service.web.pages.auth import require_fresh_login
from dme_service.web.security import sessions

bp = Blueprint("home", __name__)

LIST_LIMIT = 100
TITLES = {
    "clinician": "My cases",
    "practitioner": "Awaiting my signature",
    "admin": "Users",
}


def _clinician_cases():
    return lists.authored(get_session(), current_user, LIST_LIMIT)


def _cases_awaiting_signature():
    """The orders waiting for the practitioner, with unit, requester and waiting time, oldest
    first (services.signing_queue; it also catches signatures that no longer match: RET-2)."""
    from dme_service.services import signing_queue

    return signing_queue.waiting_orders(get_session(), current_user, limit=LIST_LIMIT)


def _clinic_users():
    return users.clinic_users(get_session(), current_user)


@bp.app_template_filter("payer_name")
def payer_name(payer: str | None) -> str:
    """A payer id as people know it: "uhc_commercial" -> "UnitedHealthcare (commercial)"."""
    from dme_service.rules.wording import PAYER_NAMES

    return PAYER_NAMES.get(payer or "", payer or "Not chosen yet")


ROLE_LISTS = {
    "clinician": _clinician_cases,
    "practitioner": _cases_awaiting_signature,
    "admin": _clinic_users,
}


@bp.route("/")
def index():
    """The signed-in user's home page: one list, chosen by role."""
    role = current_user.role
    if role == "billing":
        from dme_service.web.pages import billing

        return billing.queue()
    items = ROLE_LISTS[role]()
    if role != "admin":
        # A case list shows patient names: a PHI read, audited before it is shown (LOG-1).
        lists.list_read(get_session(), current_user)
    return render_template(
        f"home/{role}.html",
        title=TITLES[role],
        items=items,
        fresh=sessions.is_fresh(),
        # An outside practitioner sees no case card, so no red-flag badge links to one.
        flagged=_red_flagged()
        if role in ("clinician", "practitioner") and not current_user.outside
        else set(),
        red_flag_alerts=_practitioner_red_flags() if role == "practitioner" else [],
        carried_units=_carried_since_signed() if role == "practitioner" else [],
        returned=_returned() if role == "clinician" else set(),
    )


def _returned() -> set[int]:
    """Cases whose practitioner sent the order back with a note, waiting for the clinician."""
    from dme_service.services import order_returns

    return order_returns.returned_case_ids(get_session(), current_user)


def _carried_since_signed():
    """Units the clinic delivered to the same patient, carried into orders the practitioner
    signed after they signed (services.signing_queue)."""
    from dme_service.services import signing_queue

    return signing_queue.carried_since_signed(get_session(), current_user)


def _practitioner_red_flags():
    """Red flags from home on the patients whose orders name the practitioner, not reviewed."""
    from dme_service.services.patient import red_flag_alerts

    return red_flag_alerts.open_for_practitioner(get_session(), current_user)


def _red_flagged() -> set[int]:
    """The clinic's cases with a red flag from home no clinician has reviewed (clinical
    information: shown on the clinical roles' pages, never billing's)."""
    return home_log.cases_with_red_flags(get_session(), current_user.clinic_id)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@require_fresh_login
@no_input_to_keep("a single Deactivate button per user")
def deactivate_user(user_id: int):
    """Deactivate a user of this clinic: every session and API token of theirs ends now."""
    from dme_service.services.clinic import staff

    try:
        staff.deactivate(get_session(), current_user, user_id)
    except staff.UserNotFound:
        abort(404)  # other clinics' users do not exist from here (AC-2)
    except staff.Refused as refused:
        # An admin cannot lock the clinic out by deactivating themselves.
        raise Refused(
            409, refused.message, "Ask another administrator of your clinic to do it."
        ) from None
    return redirect(url_for("home.index"), code=303)
