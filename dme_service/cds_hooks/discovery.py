"""The CDS Hooks discovery document (`GET /cds-services`): the two order hooks we answer.

Prefetch templates ask the EHR for the patient, the active coverage and the patient's
conditions, so one call carries what the advice needs (CDS Hooks 2.0 "Prefetch Template").
"""

from __future__ import annotations

ORDER_SELECT = "dme-traction-order-select"
ORDER_SIGN = "dme-traction-order-sign"

PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "coverage": "Coverage?patient={{context.patientId}}&status=active",
    "conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
}

# service id -> the hook it answers
HOOKS = {ORDER_SELECT: "order-select", ORDER_SIGN: "order-sign"}

_DESCRIPTION = (
    "Coverage advice for home cervical traction orders (HCPCS E0860, E0849, E0855, E0840, "
    "E0850, E0856, E0941): what the patient's payer policy requires, what is still missing "
    "(usually the supervised in-clinic trial), a covered alternative, and the inversion-table "
    "warning. Advice only: not a coverage determination by the payer."
)


def services() -> dict:
    """The discovery response body."""
    return {
        "services": [
            {
                "hook": HOOKS[ORDER_SELECT],
                "id": ORDER_SELECT,
                "title": "Home cervical traction: coverage advice when the order is chosen",
                "description": _DESCRIPTION,
                "prefetch": dict(PREFETCH),
            },
            {
                "hook": HOOKS[ORDER_SIGN],
                "id": ORDER_SIGN,
                "title": "Home cervical traction: coverage advice before the order is signed",
                "description": _DESCRIPTION,
                "prefetch": dict(PREFETCH),
            },
        ]
    }
