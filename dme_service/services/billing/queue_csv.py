"""The billing queue as CSV, for a biller's spreadsheet: one row per claim with its codes, money,
dates and what is still needed. Minimum necessary (docs/security.md AC-3), as the queue; the
export is audited as an export. Cells cannot start a spreadsheet formula (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.models import User
from dme_service.rules.claim import QUEUE_STATES, STATE_WORDS
from dme_service.rules.wording import DECISION_WORDS, PAYER_NAMES
from dme_service.services.billing import queue_rows
from dme_service.services.billing.queue import ClaimRow, cases_in, claim_row, clinic_today
from dme_service.services.clinic import clinic_time

# The export's header row, in a biller's words (a person opens it in a spreadsheet).
CSV_COLUMNS = (
    "Case",
    "Patient",
    "Member id",
    "Date of birth",
    "Payer",
    "HCPCS",
    "Modifiers",
    "Diagnoses",
    "Decision",
    "Claim state",
    "Still needed",
    "Last change (clinic time)",
    # The money, dates and identifiers a biller reconciles with.
    "Ordering NPI",
    "Billed",
    "Allowed",
    "Paid",
    "Patient responsibility",
    "CARC",
    "RARC",
    "ICN",
    "Submitted on",
    "Remitted on",
    "Next deadline",
    "Days in this state",
    "Corrected claim",
)


def queue_csv(session: Session, user: User, states=QUEUE_STATES, today=None) -> str:
    """The queue as CSV (audited as an export); cells cannot start a spreadsheet formula."""
    rows = queue_rows.with_money(
        session,
        [claim_row(session, case, user) for case in cases_in(session, user, states)],
        today or clinic_today(user),
        user.clinic.timezone,
    )
    rows = queue_rows.with_corrections(session, rows)
    zone = user.clinic.timezone
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in _csv_values(row, zone)])
    audit.record(
        session, user=user, action="billing.queue.export", object_type="case_list", object_id=None
    )
    session.commit()
    return out.getvalue()


def _csv_values(row: ClaimRow, zone: str | None = None) -> list:
    case, money = row.case, row.money
    signer = case.treating_practitioner
    return [
        case.id,
        case.patient.name,
        case.patient.member_id,
        case.patient.date_of_birth.isoformat(),
        PAYER_NAMES.get(case.payer or "", case.payer or ""),
        row.hcpcs,
        " ".join(row.billed_modifiers),
        " ".join(row.diagnoses),
        DECISION_WORDS.get(case.status, case.status),
        STATE_WORDS.get(case.billing_state, case.billing_state),
        "; ".join(f"{item.label}: {item.detail}" for item in row.missing),
        clinic_time.local(case.updated_at, zone).strftime("%Y-%m-%d %H:%M"),
        signer.npi if signer is not None and signer.npi else "",
        *_money_cells(money),
        f"{row.deadline.what} {row.deadline.due.isoformat()}" if row.deadline else "",
        "" if row.days_in_state is None else row.days_in_state,
        row.correction or "",
    ]


def _money_cells(money) -> list:
    if money is None:
        return [""] * 9
    amounts = (money.billed, money.allowed, money.paid, money.patient_responsibility)
    carcs = " ".join(f"{a['group']}-{a['reason']}" for a in money.adjustments or [])
    dates = (money.submitted_on, money.remitted_on)
    return [
        *("" if a is None else f"{a:.2f}" for a in amounts),
        carcs,
        " ".join(money.remarks or []),
        money.icn or "",
        *("" if d is None else d.isoformat() for d in dates),
    ]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# A formula character after a separator starts a new cell in a spreadsheet that splits on `;`
# (most European locales) or tab: `Doe;=HYPERLINK(...)` would otherwise become a live formula.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t\r\n])(?=[=+\-@])")


def _cell(value) -> str:
    """OWASP CSV injection: a cell starting with = + - @ tab CR LF or NUL is prefixed with ',
    and so is each formula character that follows ; , tab or a line break inside the cell.
    The writer quotes every cell (csv.QUOTE_ALL), so no separator inside one splits it."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", str(value))
    return "'" + text if text[:1] in _FORMULA_START else text
