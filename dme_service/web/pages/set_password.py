"""The set-password page a one-time link opens (invitations and new links).

PUBLIC (the link is the credential): GET greets the user and asks for a password twice; POST
sets it through services.clinic.password_links and sends them to sign in. An unknown, used or
expired link answers the same "this link no longer works" page with 404. The token is in the
path, so access logs print it redacted.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from dme_service.db import get_session
from dme_service.services.clinic import password_links
from dme_service.web.access_logs import redact_with
from dme_service.web.forms import keeps_input

bp = Blueprint("password_link", __name__)
PASSWORD_MAX = 4096
HINT = (
    "At least 12 characters. Several unrelated words work well; no special characters are required."
)


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Type a password."), Length(max=PASSWORD_MAX)],
    )
    again = PasswordField(
        "New password again",
        validators=[DataRequired("Type the password a second time."), Length(max=PASSWORD_MAX)],
    )


class RedactPasswordLink(logging.Filter):
    """Access logs print the request line; a set-password token never reaches them (LOG-3)."""

    TOKEN = re.compile(r"(/set-password/)[A-Za-z0-9_-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/set-password/" in message:
            record.msg, record.args = self.TOKEN.sub(r"\1[redacted]", message), ()
        return True


@bp.record_once
def redact_access_logs(_state) -> None:
    redact_with(RedactPasswordLink)


def _gone():
    return render_template("auth/link_gone.html", title="This link no longer works"), 404


def _context() -> dict:
    return {"hint": HINT}


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@keeps_input("auth/set_password.html", SetPasswordForm, _context)
def set_password(token: str):
    """Choose a password with a one-time link; then sign in with it."""
    db = get_session()
    try:
        user = password_links.user_for(db, token)
    except password_links.LinkGone:
        return _gone()
    form = SetPasswordForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            password_links.set_password(db, token, form.password.data, form.again.data)
        except password_links.LinkGone:
            return _gone()
        except password_links.PasswordRefused as refused:
            problems = refused.problems
        else:
            return redirect(url_for("auth.login", reason="password_set"), code=303)
    status = 422 if problems or form.errors else 200
    page = render_template(
        "auth/set_password.html",
        form=form,
        user=user,
        problems=problems,
        title="Choose your password",
        **_context(),
    )
    return page, status
