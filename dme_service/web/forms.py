"""Keep what the user typed when a form POST fails (docs/security.md LOG-4).

Wrap every HTML POST view with `keeps_input(template, FormClass)`: any unexpected failure (a
database conflict, an outage, a bug) rolls the transaction back, logs the trace under an error
id, and re-renders the same form filled with the submitted values (passwords are never echoed:
WTForms' PasswordInput hides them). `tests/web/test_errors.py` fails on a POST view that is
neither wrapped nor marked `no_input_to_keep`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template, request
from werkzeug.exceptions import HTTPException

import dme_service.web.errors as errors
from dme_service.services.accounts.sign_in import Throttled


@dataclass(frozen=True)
class Failure:
    """What the re-rendered form says above the fields (templates/_failure.html)."""

    status: int
    what: str
    next: str
    error_id: str


def failure_for(error: BaseException) -> Failure:
    """Roll back, log under a new error id, and say what happened and what to do next."""
    from dme_service.db import get_session

    get_session().rollback()
    status = errors.status_for(error)
    error_id = errors.new_error_id()
    errors.log_error(error, status, error_id)
    explanation = errors.explanation_for(status)
    return Failure(
        status,
        f"{explanation.what}",
        "Your entries are below; check them and press the button again. "
        f"If it happens again, quote {error_id}.",
        error_id,
    )


def keeps_input(template: str, form_class: type, context: Callable[[], dict] | None = None):
    """Decorator for a view that takes POSTs: on failure, re-render `template` with the input."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if request.method != "POST":
                return view(*args, **kwargs)
            try:
                return view(*args, **kwargs)
            except (HTTPException, Throttled):
                raise  # deliberate answers (403, 404, 429) keep their own pages
            except Exception as error:  # noqa: BLE001 - LOG-4: any failure keeps the input
                failure = failure_for(error)
                extra = context() if context else {}
                form = form_class(formdata=request.form)
                page = render_template(template, form=form, failure=failure, **extra)
                return page, failure.status

        wrapper.keeps_input = True
        return wrapper

    return decorate


def no_input_to_keep(reason: str):
    """Mark a POST view whose form has no fields a user typed (e.g. a single button)."""

    def decorate(view):
        view.no_input_reason = reason
        return view

    return decorate
