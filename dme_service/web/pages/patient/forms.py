"""Forms of the patient's pages (the home log) and of the clinician's link and red-flag
controls.

Labels and messages are lazy gettext strings: the patient reads them in their own language.
Pain is a row of 0-10 radio buttons (big targets on a phone, no typing); red flags are
checkboxes whose words follow domain.md §10's stop rules.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields import DecimalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from dme_service.services.patient.home_log import LIMITS
from dme_service.services.patient.red_flags import NOTE_MAX
from dme_service.web.i18n import LANGUAGE_NAMES, LANGUAGES

RED_FLAG_LABELS = {
    "arm_symptoms_worse": _l("Arm pain, tingling or numbness got worse or spread."),
    "neck_pain_worse": _l("Neck pain got worse and stayed worse."),
    "jaw_teeth_ear_pain": _l("Your jaw, teeth or ear hurt from the chin strap."),
    "new_weakness_numbness": _l("New weakness or numbness. Trouble walking or with balance."),
    "dizzy_vision_speech": _l(
        "Dizzy or faint. Blurry or double vision. Trouble speaking or swallowing."
    ),
    "bladder_bowel": _l("A change in how you control your bladder or bowels."),
}
PAIN_CHOICES = [SelectChoice(str(n)) for n in range(11)]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice (each one its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _range(name: str, message):
    low, high = LIMITS[name]
    return NumberRange(min=low, max=high, message=message)


class HomeLogForm(FlaskForm):
    """One home traction session."""

    date = DateField(
        _l("Date"),
        validators=[InputRequired(message=_l("Enter the day you used the unit."))],
    )
    minutes = IntegerField(
        _l("Minutes"),
        validators=[
            InputRequired(message=_l("Enter how many minutes you used it.")),
            _range("minutes", _l("Enter a number from 1 to 60.")),
        ],
    )
    force_lb = DecimalField(
        _l("Weight in pounds"),
        places=1,
        validators=[Optional(), _range("force_lb", _l("Enter a number from 0 to 50."))],
    )
    pain_before = RadioField(
        _l("Pain before you started"),
        choices=PAIN_CHOICES,
        validators=[InputRequired(message=_l("Pick a number from 0 to 10."))],
    )
    pain_after = RadioField(
        _l("Pain when you finished"),
        choices=PAIN_CHOICES,
        validators=[InputRequired(message=_l("Pick a number from 0 to 10."))],
    )
    red_flags = MultiCheckboxField(
        _l("Did any of these happen?"),
        choices=[SelectChoice(key, label) for key, label in RED_FLAG_LABELS.items()],
    )


class LinkForm(FlaskForm):
    """The clinician's "new link" button: the language the patient's pages open in."""

    lang = SelectField(
        "Language of the patient's pages",
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
    )


def _strip(value):
    return value.strip() if isinstance(value, str) else value


# Staff pages are English; the service checks the same rules again (red_flag_review.check_note).
REVIEW_MESSAGES = {
    "required": "Write what you did about this red flag, e.g. whom you called and what you "
    "advised.",
    "too_long": f"Keep the note to {NOTE_MAX} characters or fewer; shorten it and save again.",
    "control": "The note holds control characters; retype it.",
}


class RedFlagReviewForm(FlaskForm):
    """A clinician's review of a red-flag home log entry: the action taken, in a line or two.

    DataRequired, not InputRequired: a note of spaces is no note (docs/security.md IN-1)."""

    note = TextAreaField(
        "Action taken",
        filters=[_strip],
        validators=[
            DataRequired(message=REVIEW_MESSAGES["required"]),
            Length(max=NOTE_MAX, message=REVIEW_MESSAGES["too_long"]),
        ],
    )
