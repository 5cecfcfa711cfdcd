"""The clinician's "Remind by e-mail" button: mail the case's practitioner how many orders
wait for their signature, now (services.mail.notices)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, url_for
from flask_login import current_user

from dme_service.db import get_session
from dme_service.services.mail import notices, outbox
from dme_service.store.cases import CaseNotFound, load_case
from dme_service.web.forms import no_input_to_keep

bp = Blueprint("reminders", __name__)


@bp.route("/cases/<int:case_id>/remind", methods=["POST"])
@no_input_to_keep("a single Remind by e-mail button")
def remind(case_id: int):
    db = get_session()
    try:
        case = load_case(db, current_user, case_id)
    except CaseNotFound:
        abort(404)
    practitioner = case.treating_practitioner
    sent = None
    if practitioner is not None:
        sent = notices.remind_practitioner(
            db,
            practitioner,
            base_url=current_app.config["BASE_URL"],
            settings=outbox.settings_from(current_app.config, current_app.instance_path),
            by=current_user._get_current_object(),
        )
    outcome = "sent" if sent else "not_sent"
    return redirect(url_for("cases.show", case_id=case_id, reminder=outcome) + "#case-top", 303)
