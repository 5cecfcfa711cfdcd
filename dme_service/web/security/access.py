"""Who may call what: one table for every endpoint, enforced before every request (AC-1).

Deny by default: an endpoint missing from ACCESS answers 403 to everyone (and
tests/web/security/test_access.py fails), so a forgotten declaration can never leak PHI. Later
issues add their endpoints here, e.g. `"cases.list": CASE_TEAM`.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, jsonify, redirect, request, url_for
from flask_login import current_user

import dme_service.web.errors as errors
from dme_service.web.security import sessions

log = logging.getLogger(__name__)

SIGNED_OUT = "You are signed out. Sign in again to continue."

PUBLIC = "PUBLIC"  # anyone, signed in or not
CLINICIAN, PRACTITIONER, BILLING, ADMIN = "clinician", "practitioner", "billing", "admin"
# A practitioner who is not on the clinic's staff (User.outside) is this role here:
# their own orders (sign, history, the signed PDFs) and their account, nothing else.
OUTSIDE_PRACTITIONER = "outside_practitioner"
ACCESS_ROLES = (CLINICIAN, PRACTITIONER, BILLING, ADMIN, OUTSIDE_PRACTITIONER)
STAFF = frozenset({CLINICIAN, PRACTITIONER, BILLING, ADMIN})
SIGNED_IN = STAFF | {OUTSIDE_PRACTITIONER}
SIGNERS = frozenset({PRACTITIONER, OUTSIDE_PRACTITIONER})
ADMINS = frozenset({ADMIN})
# Who works on cases: reads them, their documents and their claim.
CASE_TEAM = frozenset({CLINICIAN, PRACTITIONER, BILLING})
# Who records and edits the clinical facts of a case (billing sees no clinical detail: AC-3).
CLINICAL = frozenset({CLINICIAN, PRACTITIONER})

# endpoint -> PUBLIC or the roles allowed. Every endpoint of app.url_map must be here.
ACCESS: dict[str, str | frozenset[str]] = {
    "static": PUBLIC,  # the stylesheet: no data
    "auth.login": PUBLIC,
    # AUTH-6 admin TOTP: the second sign-in step, before any session exists (a signed token
    # from the password step says who); PUBLIC like the password form it continues.
    "auth.totp_step": PUBLIC,
    "auth.totp_enroll": PUBLIC,
    # A one-time set-password link is its own credential (services.clinic).
    "password_link.set_password": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.password": SIGNED_IN,
    "auth.reauth": SIGNED_IN,
    "home.index": SIGNED_IN,
    "home.deactivate_user": ADMINS,
    # The clinic's profile and users (each behind the step-up), and a user's own
    # mail preference.
    "admin.clinic": ADMINS,
    "admin.invite": ADMINS,
    "admin.edit_user": ADMINS,
    "admin.reactivate": ADMINS,
    "admin.send_link": ADMINS,
    "admin.reset_totp": ADMINS,
    "admin.send_reminders": ADMINS,
    "account.mail": SIGNED_IN,
    "reminders.remind": frozenset({CLINICIAN}),
    # Signatures in ink: the clinical team prints and uploads; everyone who reads the
    # signature history may download the scan (an outside practitioner: their own orders).
    "ink.upload": CLINICAL,
    "ink.print_pdf": CLINICAL,
    "ink.scan": CASE_TEAM | {OUTSIDE_PRACTITIONER},  # like the signed PDFs
    "ink.review_pdf": frozenset({CLINICIAN, PRACTITIONER, OUTSIDE_PRACTITIONER}),
    # The clinician's case screens; those who record and sign trials, not billing.
    "cases.index": CLINICAL,
    "cases.new": CLINICAL,
    "cases.show": CLINICAL,
    "cases.save": CLINICAL,
    "cases.save_page": CLINICAL,
    "cases.resume": CLINICAL,
    "cases.codes": CLINICAL,
    "cases.trial_response": CLINICAL,
    # The same patient's earlier cases: a carried prior device leaves only with a reason.
    "same_patient.remove_prior_device": CLINICAL,
    "same_patient.carry_prior_device": CLINICAL,
    "same_patient.lookup": CLINICAL,  # the new-case form's "this patient has cases" notice
    # A case's documents; billing reads and prints the packet it submits.
    "documents.index": CASE_TEAM,
    "documents.render": CASE_TEAM,
    "documents.preview": CASE_TEAM,
    "documents.download": CASE_TEAM,
    "documents.current": CASE_TEAM,
    "documents.make_current": CASE_TEAM,
    # The JSON API (bearer token, or session + X-CSRFToken). Deciding a
    # document stores nothing; creating a case is clinical work; moves are checked again by
    # services.billing (clinical team sends for signature, billing moves the claim).
    "api.evaluate": STAFF,
    "api.create_case": frozenset({CLINICIAN, PRACTITIONER}),
    "api.edit_case": CLINICAL,  # the case page's save, by the same people
    "api.list_cases": CASE_TEAM,
    "api.get_case": CASE_TEAM,
    "api.get_document": CASE_TEAM,
    "api.render_document": CASE_TEAM,
    "api.move_billing": CASE_TEAM,
    "api.amend_order": CLINICAL,  # the case page's "Amend the order", by the same people
    "api.fhir_bundle": CASE_TEAM,
    "api.openapi": PUBLIC,  # the API's description: no data
    # The patient's pages are PUBLIC here; they need the link's own patient cookie
    # (web.pages.patient.patient.load_patient), and answer the "get a new link" page without it.
    "patient.open_link": PUBLIC,
    "patient.instructions": PUBLIC,
    "patient.instructions_pdf": PUBLIC,
    "patient.log": PUBLIC,
    "patient.log_saved": PUBLIC,
    "patient.close": PUBLIC,
    "patient.closed": PUBLIC,
    "patient_link.link_status": frozenset({CLINICIAN, PRACTITIONER}),
    "patient_link.create_link": frozenset({CLINICIAN}),
    "patient_link.revoke_link": frozenset({CLINICIAN}),
    "patient_link.print_link": frozenset({CLINICIAN}),
    "patient_link.followup_letter": CLINICAL,  # the home-log follow-up letter: clinical detail
    # A red flag's review holds what the clinician did (clinical free text): not billing.
    "patient_link.review_red_flag": CLINICAL,
    # Signing. Any staff member may open the page: who may not sign this order gets
    # 403 saying who can (MD, DO, DPM, PA, NP, CNS with an NPI, named on the order).
    # An outside practitioner reaches only cases naming them (services.signing.load_case).
    "signing.sign": SIGNED_IN,
    # Minimum necessary (45 CFR 164.502(b)): the signed orders and letters and their
    # history are PHI for the case team only; sending a case to signing is a clinical call.
    "signing.history": CASE_TEAM | {OUTSIDE_PRACTITIONER},
    "signing.document": CASE_TEAM | {OUTSIDE_PRACTITIONER},
    "signing.send": CLINICAL,
    # The practitioner sends an order back with a note (clinical text: never billing); an
    # outside practitioner only the orders addressed to them (store.cases.load_case).
    "order_return.send_back": SIGNERS,
    "order_return.send_again": CLINICAL,
    "order_amendment.amend": CLINICAL,
    "order_amendment.original_claim_number": frozenset({BILLING, ADMIN}),
    "reopening.show": frozenset({BILLING, ADMIN}),
    "reopening.record_request": frozenset({BILLING, ADMIN}),
    "reopening.record_outcome": frozenset({BILLING, ADMIN}),
    # The claim; only billing (and admin) move claim states (AC-3).
    "billing.queue": frozenset({BILLING, ADMIN}),
    "billing.export": frozenset({BILLING, ADMIN}),
    "billing.claim": frozenset({BILLING, ADMIN}),
    "billing.move": frozenset({BILLING, ADMIN}),
    "billing.review": frozenset({BILLING, ADMIN}),
    "billing.denials": frozenset({BILLING, ADMIN}),
    # Claim files, remittances, claim details, fees and the money report.
    "billing.export_claims": frozenset({BILLING, ADMIN}),
    "billing.claim_files": frozenset({BILLING, ADMIN}),
    "billing.claim_file": frozenset({BILLING, ADMIN}),
    "billing.claim_file_download": frozenset({BILLING, ADMIN}),
    "billing.confirm_sent": frozenset({BILLING, ADMIN}),
    "billing.remittances": frozenset({BILLING, ADMIN}),
    "billing.post_unmatched": frozenset({BILLING, ADMIN}),
    "billing.claim_details": frozenset({BILLING, ADMIN}),
    "billing.fees": frozenset({BILLING, ADMIN}),
    "billing.reports": frozenset({BILLING, ADMIN}),
    "billing.supplier": frozenset({BILLING, ADMIN}),
    # CDS Hooks. Discovery holds no data; a hook call is authenticated by the EHR's
    # JWT in the view itself (web/api/cds_hooks.py), never by a session.
    "cds.discovery": PUBLIC,
    "cds.hook": PUBLIC,
}


def rule_for(endpoint: str) -> str | frozenset[str] | None:
    return ACCESS.get(endpoint)


def current_role() -> str | None:
    """The signed-in user's role, read from the user row on every request (never the cookie);
    an outside practitioner's is OUTSIDE_PRACTITIONER."""
    if not current_user.is_authenticated:
        return None
    return role_of(current_user)


def role_of(user) -> str:
    if user.role == PRACTITIONER and getattr(user, "outside", False):
        return OUTSIDE_PRACTITIONER
    return user.role


def enforce_access():
    """before_request: authenticate, then allow, refuse (403) or send to sign-in (302/401)."""
    if request.routing_exception is not None:
        return None  # 404/405: nothing to protect, the error page answers
    rule = rule_for(request.endpoint)
    if rule is None:
        log.error("endpoint has no access rule; refused", extra={"endpoint": request.endpoint})
        abort(403)
    if rule != PUBLIC:
        role = current_role()
        if role is None:
            return unauthenticated()
        if role not in rule:
            abort(403)
    check_csrf()
    return None


def unauthenticated():
    """401 JSON for the API; for pages a 302 to sign-in that remembers where the user was; a
    case-page Save gets the sign-in page carrying what was typed (pages/cases/typed_input)."""
    if errors.is_api_request():
        response = errors.error_response(401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="dme_service"'
        return response
    if _a_pages_background_lookup():
        # Answered here, not by a sign-in page: that page would give the browser a new
        # cookie behind the user's back, in the middle of their typing.
        return jsonify(error={"code": "signed_out", "message": SIGNED_OUT}), 401
    from dme_service.web.pages.cases import typed_input

    if typed_input.can_carry():
        return typed_input.sign_in_keeping_typed_input(typed_input.seal())
    params = {}
    if request.method in ("GET", "HEAD"):
        params["next"] = request.full_path.rstrip("?")
    session = sessions.current()
    if session is not None and session.ended_reason in ("idle", "absolute"):
        params["reason"] = session.ended_reason
    return redirect(url_for("auth.login", **params), code=302)


def _a_pages_background_lookup() -> bool:
    """A script on an open page asking for JSON (the case page's live checks), not a
    navigation: browsers navigate with text/html first."""
    return request.accept_mimetypes.best == "application/json"


def check_csrf() -> None:
    """CSRF on every state-changing request authenticated by cookie (OUT-3).

    Bearer-token calls carry no cookie a hostile page could ride on, so they are not checked.
    Runs here, after authentication, instead of in CSRFProtect's own hook.
    """
    if g.get("auth_method") == "bearer" or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    from dme_service.extensions import csrf

    csrf.protect(apply_exemptions=True)


def load_bearer_user(req):
    """Flask-Login request_loader: a bearer token on /api/ (cookies are ignored there)."""
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    from dme_service.db import get_session
    from dme_service.services.accounts import api_tokens

    user = api_tokens.authenticate(get_session(), header.removeprefix("Bearer ").strip())
    if user is not None:
        g.auth_method = "bearer"
    return user


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site relative path to go to after sign-in, else `default` (ASVS 5.1.5)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def init_app(app: Flask) -> None:
    """Run the access check before every request; CSRF moves into it (after authentication)."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(enforce_access)
