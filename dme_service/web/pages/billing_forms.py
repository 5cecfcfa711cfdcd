"""The claim's billing details form (837P data the case does not hold), shared by the claim
page (billing.py) and the details save (billing_files.py)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from dme_service.services.billing import claim_details as billing_claim_details
from dme_service.services.billing import fees as billing_fees


class DetailsForm(FlaskForm):
    # The service checks each choice (services/billing/claim_details.py), so a value the page
    # never offered comes back beside its select with the rest as typed, not as a bare 400.
    purchase_or_rental = SelectField(
        "Purchase or rental",
        choices=[SelectChoice(k, v) for k, v in billing_fees.PURCHASE_OR_RENTAL.items()],
        validate_choice=False,
    )
    prior_auth = StringField("Prior authorization number", validators=[Optional()])
    service_date = StringField("Date of service (delivery date)", validators=[Optional()])
    address_line1 = StringField("Street address", validators=[Optional()])
    city = StringField("City", validators=[Optional()])
    state = StringField("State", validators=[Optional()])
    zip = StringField("ZIP code", validators=[Optional()])
    sex = SelectField(
        "Sex on the insurance card",
        choices=[SelectChoice(k, v) for k, v in billing_claim_details.SEXES.items()],
        default="U",
        validate_choice=False,
    )


def details_form(claim) -> DetailsForm:
    """The form filled with what is stored (the claim page shows it)."""
    case, money = claim.row.case, claim.row.money
    patient = case.patient
    return DetailsForm(
        formdata=None,
        purchase_or_rental=(money.purchase_or_rental if money else None) or "NU",
        prior_auth=(money.prior_auth if money else None) or "",
        service_date=(money.service_date.isoformat() if money and money.service_date else ""),
        address_line1=patient.address_line1 or "",
        city=patient.city or "",
        state=patient.state or "",
        zip=patient.zip or "",
        sex=patient.sex or "U",
    )
