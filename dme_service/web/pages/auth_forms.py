"""The sign-in form, shared by the sign-in page and the access hook that shows it when a
session ended while a form was being filled (web/security/access.py)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from dme_service.services.accounts import passwords as accounts

PASSWORD_MAX = accounts.MAX_LENGTH * 4  # characters; the policy counts after normalizing


class LoginForm(FlaskForm):
    email = StringField("E-mail address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    next = HiddenField(validators=[Length(max=2000)])
