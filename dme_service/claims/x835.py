"""Reading an 835 remittance (005010X221A1), strictly: a file is taken whole or refused.

Refused, with the segment (its number in the file and its id) and the reason, and nothing
else read: a file that is not X12, another version or transaction set, a truncated file
(a trailer missing or counting other segments than the file holds), amounts that do not
balance (BPR02 = the sum of CLP04 less PLB; CLP04 = the sum of SVC03 when lines are given),
or a payee other than the clinic (N1*PE with its NPI or tax id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dme_service.claims import x12
from dme_service.claims.remittance import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    Party,
    Remittance,
)

VERSION = "005010X221A1"
ISA_LENGTH = 106  # the ISA segment is fixed-width; its 106th character ends it


class RemittanceRefused(ValueError):
    """The file cannot be posted; `segment` is e.g. "segment 7 (CLP)", `reason` in words."""

    def __init__(self, segment: str, reason: str) -> None:
        super().__init__(f"{segment}: {reason}")
        self.segment = segment
        self.reason = reason


@dataclass(frozen=True)
class Payee:
    """Who the clinic is, to refuse another payee's remittance: its NPI and/or EIN."""

    npi: str = ""
    tax_id: str = ""


@dataclass
class _Seg:
    number: int
    elements: list[str]
    component: str

    @property
    def id(self) -> str:
        return self.elements[0]

    def get(self, position: int) -> str:
        return self.elements[position] if position < len(self.elements) else ""

    def where(self) -> str:
        return f"segment {self.number} ({self.id})"


def parse(content: str | bytes, payee: Payee | None = None) -> Remittance:
    """The remittance in `content`, or RemittanceRefused naming the segment and the reason."""
    segments = _segments(content)
    reader = _Reader(segments, payee)
    return reader.read()


def _segments(content: str | bytes) -> list[_Seg]:
    if isinstance(content, bytes):
        try:
            content = content.decode("ascii")
        except UnicodeDecodeError:
            raise RemittanceRefused("segment 1", "not an X12 file (it is not plain text)") from None
    content = content.lstrip("\ufeff \r\n\t")
    if not content.startswith("ISA") or len(content) < ISA_LENGTH:
        raise RemittanceRefused("segment 1", "not an X12 file (it does not start with ISA)")
    element, component, terminator = content[3], content[104], content[105]
    if element.isalnum() or terminator.isalnum() or component.isalnum():
        raise RemittanceRefused("segment 1 (ISA)", "not an X12 file (the ISA is malformed)")
    raw = [s.strip("\r\n\t ") for s in content.split(terminator)]
    if raw and raw[-1] == "":
        raw.pop()
    return [
        _Seg(number, text.split(element), component)
        for number, text in enumerate(raw, start=1)
        if text
    ]


@dataclass
class _Reader:
    segments: list[_Seg]
    payee_expected: Payee | None
    position: int = 0
    claims: list[ClaimPayment] = field(default_factory=list)
    plb: list[Decimal] = field(default_factory=list)

    # --- moving through the file ---------------------------------------------------------

    def peek(self) -> _Seg | None:
        return self.segments[self.position] if self.position < len(self.segments) else None

    def take(self, *ids: str) -> _Seg:
        seg = self.peek()
        if seg is None:
            last = self.segments[-1]
            raise RemittanceRefused(
                f"segment {last.number + 1}",
                f"the file ends where {' or '.join(ids)} was expected (truncated)",
            )
        if seg.id not in ids:
            raise RemittanceRefused(seg.where(), f"{' or '.join(ids)} was expected here")
        self.position += 1
        return seg

    def optional(self, *ids: str) -> _Seg | None:
        seg = self.peek()
        if seg is not None and seg.id in ids:
            self.position += 1
            return seg
        return None

    def skip_until(self, *ids: str) -> None:
        while (seg := self.peek()) is not None and seg.id not in ids:
            self.position += 1

    # --- the envelope -------------------------------------------------------------------

    def read(self) -> Remittance:
        isa = self.take("ISA")
        if isa.get(12) != "00501":
            raise RemittanceRefused(isa.where(), f"version {isa.get(12)} is not 5010 (00501)")
        gs = self.take("GS")
        if gs.get(1) != "HP" or gs.get(8) != VERSION:
            raise RemittanceRefused(
                gs.where(), f"this is {gs.get(1)} {gs.get(8)}, not an 835 remittance {VERSION}"
            )
        st = self.take("ST")
        if st.get(1) != "835" or st.get(3) not in ("", VERSION):
            raise RemittanceRefused(st.where(), f"transaction set {st.get(1)} is not an 835")
        remittance = self.header(isa)
        self.take_claims()
        se = self.take("SE")
        if _int(se, 1) != se.number - st.number + 1 or se.get(2) != st.get(2):
            raise RemittanceRefused(
                se.where(), "the trailer's segment count or control number does not match"
            )
        if self.optional("ST"):
            raise RemittanceRefused(
                self.segments[self.position - 1].where(), "one transaction set per file, please"
            )
        ge = self.take("GE")
        if ge.get(2) != gs.get(6):
            raise RemittanceRefused(ge.where(), "GE does not close the GS group")
        iea = self.take("IEA")
        if iea.get(2) != isa.get(13):
            raise RemittanceRefused(iea.where(), "IEA does not close the ISA interchange")
        if self.peek() is not None:
            raise RemittanceRefused(self.peek().where(), "segments after the end of the file")
        self.balance(remittance)
        return Remittance(
            remittance.payer,
            remittance.payee,
            remittance.trace_number,
            remittance.payment_date,
            remittance.total_paid,
            remittance.method,
            tuple(self.claims),
            isa.get(13),
        )

    def header(self, isa: _Seg) -> Remittance:
        bpr = self.take("BPR")
        total = _amount(bpr, 2)
        paid_on = _date(bpr, 16)
        trn = self.take("TRN")
        self.skip_until("N1")
        payer_n1 = self.take("N1")
        if payer_n1.get(1) != "PR":
            raise RemittanceRefused(payer_n1.where(), "the payer (N1*PR) was expected here")
        payer = Party(payer_n1.get(2))
        self.skip_until("N1")
        payee_n1 = self.take("N1")
        if payee_n1.get(1) != "PE":
            raise RemittanceRefused(payee_n1.where(), "the payee (N1*PE) was expected here")
        payee = Party(payee_n1.get(2), payee_n1.get(3), payee_n1.get(4))
        self.check_payee(payee_n1, payee)
        self.skip_until("LX", "CLP", "SE", "PLB")
        return Remittance(payer, payee, trn.get(2), paid_on, total, bpr.get(4))

    def check_payee(self, seg: _Seg, payee: Party) -> None:
        expected = self.payee_expected
        if expected is None:
            return
        refs = {payee.id_qualifier: payee.id}
        while (ref := self.optional("N3", "N4", "REF", "RDM")) is not None:
            if ref.id == "REF" and ref.get(1) == "TJ":
                refs["FI"] = ref.get(2)
        npi_ok = expected.npi and refs.get("XX") == expected.npi
        tax_ok = expected.tax_id and x12.digits(refs.get("FI", "")) == x12.digits(expected.tax_id)
        if not (npi_ok or tax_ok):
            given = ", ".join(f"{q} {v}" for q, v in refs.items() if v) or "no identifier"
            raise RemittanceRefused(
                seg.where(),
                f"this remittance pays {payee.name or 'another payee'} ({given}), "
                "not this clinic's NPI or tax id",
            )

    # --- the claims ---------------------------------------------------------------------

    def take_claims(self) -> None:
        while (seg := self.peek()) is not None and seg.id in ("LX", "TS3", "TS2", "CLP"):
            if seg.id != "CLP":
                self.position += 1
                continue
            self.claims.append(self.claim())
        while (seg := self.optional("PLB")) is not None:
            for position in range(4, len(seg.elements), 2):
                self.plb.append(_amount(seg, position))

    def claim(self) -> ClaimPayment:
        clp = self.take("CLP")
        adjustments, names, lines = [], {"member": "", "last": "", "first": ""}, []
        while (seg := self.peek()) is not None and seg.id not in ("CLP", "SVC", "LX", "SE", "PLB"):
            self.position += 1
            if seg.id == "CAS":
                adjustments.extend(_adjustments(seg))
            elif seg.id == "NM1" and seg.get(1) == "QC":
                names = {"member": seg.get(9), "last": seg.get(3), "first": seg.get(4)}
        while self.peek() is not None and self.peek().id == "SVC":
            lines.append(self.line())
        claim = ClaimPayment(
            control_number=clp.get(1),
            status=clp.get(2),
            charge=_amount(clp, 3),
            paid=_amount(clp, 4),
            patient_responsibility=_amount(clp, 5) if clp.get(5) else Decimal("0.00"),
            payer_icn=clp.get(7),
            member_id=names["member"],
            patient_last=names["last"],
            patient_first=names["first"],
            lines=tuple(lines),
            adjustments=tuple(adjustments),
            filing_code=clp.get(6),
            segment_number=clp.number,
        )
        if lines and sum((line.paid for line in lines), Decimal("0.00")) != claim.paid:
            raise RemittanceRefused(clp.where(), "CLP04 is not the sum of its lines' payments")
        return claim

    def line(self) -> LinePayment:
        svc = self.take("SVC")
        procedure = svc.get(1).split(svc.component)
        if len(procedure) < 2 or procedure[0] not in ("HC", "N4", "ER", "AD"):
            raise RemittanceRefused(svc.where(), "the procedure is not a HCPCS code (HC:...)")
        served, allowed, adjustments, remarks = None, None, [], []
        while (seg := self.peek()) is not None and seg.id in (
            "DTM",
            "CAS",
            "REF",
            "AMT",
            "QTY",
            "LQ",
        ):
            self.position += 1
            if seg.id == "DTM" and seg.get(1) in ("472", "150"):
                served = _date(seg, 2)
            elif seg.id == "CAS":
                adjustments.extend(_adjustments(seg))
            elif seg.id == "AMT" and seg.get(1) == "B6":
                allowed = _amount(seg, 2)
            elif seg.id == "LQ" and seg.get(1) == "HE":
                remarks.append(seg.get(2))
        line = LinePayment(
            hcpcs=procedure[1],
            modifiers=tuple(m for m in procedure[2:6] if m),
            charge=_amount(svc, 2),
            paid=_amount(svc, 3),
            units=_int(svc, 5) if svc.get(5) else 1,
            service_date=served,
            allowed=allowed,
            adjustments=tuple(adjustments),
            remarks=tuple(remarks),
        )
        if line.charge - line.paid != sum((a.amount for a in adjustments), Decimal("0.00")):
            raise RemittanceRefused(
                svc.where(), "the line's charge less its payment is not the sum of its adjustments"
            )
        return line

    def balance(self, remittance: Remittance) -> None:
        paid = sum((c.paid for c in self.claims), Decimal("0.00")) - sum(self.plb, Decimal("0"))
        if paid != remittance.total_paid:
            raise RemittanceRefused(
                "segment 3 (BPR)",
                f"the payment ({remittance.total_paid}) is not the sum of the claims paid ({paid})",
            )


def _adjustments(seg: _Seg) -> list[Adjustment]:
    """CAS: a group code then up to six (reason, amount, quantity) triples."""
    group = seg.get(1)
    found = []
    for position in range(2, 19, 3):
        reason = seg.get(position)
        if not reason:
            break
        found.append(Adjustment(group, reason, _amount(seg, position + 1)))
    if not found:
        raise RemittanceRefused(seg.where(), "an adjustment without a reason code")
    return found


def _amount(seg: _Seg, position: int) -> Decimal:
    try:
        return x12.parse_amount(seg.get(position))
    except ValueError:
        raise RemittanceRefused(
            seg.where(), f"element {position} is not an amount ({seg.get(position)!r})"
        ) from None


def _date(seg: _Seg, position: int) -> date:
    try:
        return x12.parse_date(seg.get(position))
    except ValueError:
        raise RemittanceRefused(
            seg.where(), f"element {position} is not a date ({seg.get(position)!r})"
        ) from None


def _int(seg: _Seg, position: int) -> int:
    try:
        return int(Decimal(seg.get(position)))
    except ArithmeticError:
        raise RemittanceRefused(
            seg.where(), f"element {position} is not a number ({seg.get(position)!r})"
        ) from None
