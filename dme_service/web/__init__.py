"""The web layer: blueprints, server-side sessions, the access table and response headers.

`create_app` calls `init_app` (and `errors.init_app`); the order here matters: sessions load
the user, the access hook then allows or refuses, and the headers go on every response.
"""

from __future__ import annotations

from flask import Flask

from dme_service.web.viewer import Viewer, remember_viewer

__all__ = ["Viewer", "init_app"]


def init_app(app: Flask) -> None:
    from dme_service.case.length_of_need import in_months
    from dme_service.web.pages import auth, home
    from dme_service.web.security import access, body_limit, sessions
    from dme_service.web.security import headers as security_headers

    sessions.init_app(app)
    body_limit.init_app(app)  # first: a length-less body over the limit goes no further
    _configure_login(app)
    app.before_request(remember_viewer)  # before the access hook, so a 403 page knows the user
    from dme_service.web import uploads

    app.before_request(uploads.allow_larger_uploads)  # before the access hook reads the body
    access.init_app(app)
    security_headers.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(home.bp)
    _register_clinic_setup(app)
    _register_cases(app)
    _register_documents_and_api(app)
    _register_patient(app)
    _register_signing_and_billing(app)
    _register_cds_hooks(app)
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["length_of_need"] = in_months
    from dme_service.web import time_filters

    time_filters.init_app(app)


def _register_signing_and_billing(app: Flask) -> None:
    """The practitioner's signature and the billing queue."""
    from dme_service.web.pages import (  # noqa: F401
        billing,
        billing_files,
        order_amendment,
        order_return,
        reopening,
        signing,
    )

    app.register_blueprint(signing.bp)
    app.register_blueprint(order_return.bp)
    app.register_blueprint(order_amendment.bp)
    app.register_blueprint(reopening.bp)
    app.register_blueprint(billing.bp)


def _register_clinic_setup(app: Flask) -> None:
    """Set-password links, the admin's clinic and user pages."""
    from dme_service.web.pages import account, admin, ink, reminders, set_password

    app.register_blueprint(set_password.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(reminders.bp)
    app.register_blueprint(ink.bp)


def _register_cds_hooks(app: Flask) -> None:
    """CDS Hooks for EHRs ordering traction."""
    from dme_service.web.api import cds_hooks

    app.register_blueprint(cds_hooks.bp)


def _register_patient(app: Flask) -> None:
    """The patient's pages and Flask-Babel, which only they translate."""
    from dme_service.web import i18n
    from dme_service.web.pages.patient import patient, staff

    i18n.init_app(app)
    app.register_blueprint(patient.bp)
    app.register_blueprint(staff.bp)


def _register_cases(app: Flask) -> None:
    """The clinician's case list, case page and its sections."""
    from dme_service.web.pages.cases import same_patient
    from dme_service.web.pages.cases import views as cases

    app.register_blueprint(cases.bp)
    app.register_blueprint(same_patient.bp)


def label(value: object) -> str:
    """A stored code as words for people: "not_covered" -> "Not covered"."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _configure_login(app: Flask) -> None:
    from dme_service.extensions import login_manager
    from dme_service.web.security import access, sessions

    login_manager.user_loader(sessions.load_user)
    login_manager.request_loader(access.load_bearer_user)
    # Our session id is server-side and rotated at login; Flask-Login's IP/agent hashing adds
    # nothing and its "strong" mode would write keys outside the allow-list (AUTH-2).
    login_manager.session_protection = None
    login_manager.login_view = "auth.login"


def _register_documents_and_api(app: Flask) -> None:
    """A case's documents and the JSON API under /api/v1."""
    from dme_service.web.api import views as api
    from dme_service.web.pages import documents

    app.register_blueprint(documents.bp)
    app.register_blueprint(api.bp)
