"""A signed-in user's own mail preference: the optional messages (signature reminders, red
flags, declined orders) on or off. Invitations and set-password links always go."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField

from dme_service.db import get_session
from dme_service.services.clinic import staff
from dme_service.web.forms import keeps_input

bp = Blueprint("account", __name__, url_prefix="/account")


class MailForm(FlaskForm):
    optional = BooleanField(
        "Send me reminders and alerts by e-mail (orders waiting for my signature, a patient's "
        "red flag, a declined order, an order I signed amended or given a prior unit)"
    )


@bp.route("/mail", methods=["GET", "POST"])
@keeps_input("account/mail.html", MailForm)
def mail():
    """Turn the optional messages off or on."""
    form = MailForm()
    if request.method == "GET":
        form.optional.data = not current_user.mail_opt_out
    elif form.validate_on_submit():
        user = current_user._get_current_object()
        staff.set_mail_opt_out(get_session(), user, not form.optional.data)
        return redirect(url_for("account.mail", saved=1), code=303)
    saved = request.method == "GET" and request.args.get("saved") == "1"
    return render_template("account/mail.html", form=form, saved=saved, title="E-mail")
