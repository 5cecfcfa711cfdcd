"""Writing an 835 as a payer would, from remittance facts: for the tests, the demo and the bench.

The clinic never sends an 835; this exists so the import is exercised on files shaped like the
payer's (validated with pyx12 in the tests), including ones built from an exported 837P.
"""

from __future__ import annotations

from dme_service.claims import x12
from dme_service.claims.remittance import Adjustment, ClaimPayment, LinePayment, Remittance
from dme_service.claims.x12 import segment, text

VERSION = "005010X221A1"


def build(remittance: Remittance, *, payer_tax_id: str = "999999999", created=None) -> str:
    """The 835 text; `remittance.control_number` is the ISA13 (digits)."""
    body = _transaction(remittance, payer_tax_id)
    envelope = x12.interchange(
        body,
        sender="PAYER",
        receiver="CLINIC",
        created=created or remittance.payment_date,
        time="1200",
        control=int(remittance.control_number or 1),
        functional_id="HP",
        version=VERSION,
    )
    return "\n".join(envelope) + "\n"


def _transaction(r: Remittance, payer_tax_id: str) -> list[str]:
    method = r.method or ("CHK" if r.total_paid else "NON")
    handling = "I" if r.total_paid else "H"
    segments = [
        segment("ST", "835", "0001"),  # ST03 is not used in the 835 (pyx12 map X221A1)
        segment(
            "BPR",
            handling,
            x12.amount(r.total_paid),
            "C",
            method,
            *[""] * 11,
            x12.ccyymmdd(r.payment_date),
        ),
        segment("TRN", "1", r.trace_number, "1" + payer_tax_id),
        segment("N1", "PR", text(r.payer.name)),
        segment("N3", "PO BOX 1"),
        segment("N4", "NASHVILLE", "TN", "37202"),
        segment("PER", "BL", "EDI SUPPORT", "TE", "8005550100"),
        segment("N1", "PE", text(r.payee.name), r.payee.id_qualifier or "XX", r.payee.id),
        segment("LX", "1"),
    ]
    for claim in r.claims:
        segments.extend(_claim(claim))
    segments.append(segment("SE", len(segments) + 1, "0001"))
    return segments


def _claim(c: ClaimPayment) -> list[str]:
    segments = [
        segment(
            "CLP",
            c.control_number,
            c.status,
            x12.amount(c.charge),
            x12.amount(c.paid),
            x12.amount(c.patient_responsibility) if c.patient_responsibility else "",
            c.filing_code,
            c.payer_icn,
        ),
        *_cas(c.adjustments),
        segment(
            "NM1",
            "QC",
            "1",
            text(c.patient_last),
            text(c.patient_first),
            "",
            "",
            "",
            "MI",
            c.member_id,
        ),
    ]
    for line in c.lines:
        segments.extend(_line(line))
    return segments


def _line(line: LinePayment) -> list[str]:
    procedure = x12.COMPONENT.join(("HC", line.hcpcs, *line.modifiers))
    segments = [
        segment("SVC", procedure, x12.amount(line.charge), x12.amount(line.paid), "", line.units)
    ]
    if line.service_date:
        segments.append(segment("DTM", "472", x12.ccyymmdd(line.service_date)))
    segments.extend(_cas(line.adjustments))
    if line.allowed is not None:
        segments.append(segment("AMT", "B6", x12.amount(line.allowed)))
    segments.extend(segment("LQ", "HE", code) for code in line.remarks)
    return segments


def _cas(adjustments: tuple[Adjustment, ...]) -> list[str]:
    by_group: dict[str, list[Adjustment]] = {}
    for a in adjustments:
        by_group.setdefault(a.group, []).append(a)
    return [
        segment("CAS", group, *[v for a in items[:6] for v in (a.reason, x12.amount(a.amount), "")])
        for group, items in by_group.items()
    ]
