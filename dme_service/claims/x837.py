"""The 837P claim file (005010X222A1) for DME claims, from plain claim facts.

One interchange (ISA), one functional group (GS, HC), one transaction set (ST 837) holding the
billing provider (HL 20) and, under it, one subscriber level (HL 22) per claim. The patient is
always the subscriber here (SBR02 = 18), so there is no patient level (2000C).

What a DME claim needs, each checked against the 5010 professional map (see the package doc):
- SV1-01 `HC:<HCPCS>:<modifiers>`, SV1-03 `UN` units, SV1-07 diagnosis pointers (1-4).
- HI with `ABK` for the principal and `ABF` for other ICD-10-CM codes, written without dots
  (never the ICD-9 qualifiers BK/BF).
- the ordering practitioner in loop 2420E (`NM1*DK`, `XX` = NPI); the DME MAC checks the name
  and NPI against PECOS.
- CLM02 equals the sum of the SV1-02 line charges (the builder computes it; nothing else can).
- CLM05-3 is 1 for an original claim and 7 for a corrected (replacement) claim, which also
  carries REF*F8, the payer's claim control number of the claim it replaces
  (claims/correction.py).
- DTP*472 date of service on each line.
- no CMN segments (CR3, PWK*CT, loop 2440): CEDI rejects claims carrying a CMN or DIF for dates
  of service from 2023-01-01 (CGS Jurisdiction C, "Electronic Claims",
  https://cgsmedicare.com/jc/claims/edi.html).
"""

from __future__ import annotations

from collections.abc import Iterable

from dme_service.claims import correction, x12
from dme_service.claims.facts import Address, BillingProvider, Claim, Envelope, ServiceLine
from dme_service.claims.x12 import segment, text

VERSION = "005010X222A1"
TRANSACTION_SET = "0001"


def build(envelope: Envelope, provider: BillingProvider, claims: Iterable[Claim]) -> str:
    """The whole file, one segment per line (CEDI and clearinghouses accept the line breaks)."""
    body = _transaction(envelope, provider, list(claims))
    return "\n".join(_interchange(envelope, body)) + "\n"


def _interchange(envelope: Envelope, body: list[str]) -> list[str]:
    return x12.interchange(
        body,
        sender=envelope.sender_id,
        receiver=envelope.receiver_id,
        created=envelope.created,
        time=envelope.created.strftime("%H%M"),
        control=envelope.control_number,
        functional_id="HC",
        version=VERSION,
        production=envelope.production,
    )


def _transaction(envelope: Envelope, provider: BillingProvider, claims: list[Claim]) -> list[str]:
    segments = [
        segment("ST", "837", TRANSACTION_SET, VERSION),
        segment(
            "BHT",
            "0019",
            "00",
            f"{envelope.control_number}",
            x12.ccyymmdd(envelope.created),
            envelope.created.strftime("%H%M"),
            "CH",
        ),
        segment("NM1", "41", "2", text(provider.name), "", "", "", "", "46", envelope.sender_id),
        segment("PER", "IC", text(provider.contact_name), "TE", x12.digits(provider.phone)),
        segment(
            "NM1",
            "40",
            "2",
            text(envelope.receiver_name),
            "",
            "",
            "",
            "",
            "46",
            envelope.receiver_id,
        ),
        *_billing_provider(provider),
    ]
    for number, claim in enumerate(claims, start=2):
        segments.extend(_subscriber_and_claim(number, claim))
    segments.append(segment("SE", len(segments) + 1, TRANSACTION_SET))
    return segments


def _billing_provider(provider: BillingProvider) -> list[str]:
    return [
        segment("HL", 1, "", "20", "1"),
        segment("NM1", "85", "2", text(provider.name), "", "", "", "", "XX", provider.npi),
        *_address(provider.address),
        segment("REF", "EI", x12.digits(provider.tax_id)),
    ]


def _address(address: Address | None) -> list[str]:
    if address is None:
        return []
    return [
        segment("N3", text(address.line1, 55), text(address.line2, 55)),
        segment("N4", text(address.city, 30), address.state.upper(), x12.digits(address.zip)),
    ]


def _subscriber_and_claim(number: int, claim: Claim) -> list[str]:
    sub = claim.subscriber
    segments = [
        segment("HL", number, 1, "22", "0"),
        segment("SBR", "P", "18", "", "", "", "", "", "", claim.payer.filing_code),
        segment(
            "NM1",
            "IL",
            "1",
            text(sub.last_name),
            text(sub.first_name, 35),
            "",
            "",
            "",
            "MI",
            _member_id(claim),
        ),
        *_address(sub.address),
    ]
    if sub.birth_date is not None:
        segments.append(segment("DMG", "D8", x12.ccyymmdd(sub.birth_date), sub.sex or "U"))
    segments.append(
        segment(
            "NM1", "PR", "2", text(claim.payer.name), "", "", "", "", "PI", claim.payer.payer_id
        )
    )
    segments.extend(_claim(claim))
    return segments


def _member_id(claim: Claim) -> str:
    """NM109: cards print an MBI with dashes ('1EG4-TE5-MK73'); the claim carries 11 characters."""
    member = text(claim.subscriber.member_id, 80).replace(" ", "")
    return member.replace("-", "") if claim.payer.filing_code == "MB" else member


def _claim(claim: Claim) -> list[str]:
    segments = [
        segment(
            "CLM",
            claim.control_number,
            x12.amount(claim.total_charge),
            "",
            "",
            # B: professional; then the frequency: 1 original, 7 replacement
            x12.COMPONENT.join((claim.place_of_service, "B", claim.frequency)),
            "Y",  # the supplier's signature is on file
            "A",  # assigned
            "Y",  # benefits assigned to the supplier
            "Y",  # release of information on file
        )
    ]
    if claim.prior_auth:
        segments.append(segment("REF", "G1", text(claim.prior_auth, 50)))
    if claim.frequency == correction.REPLACEMENT:
        # The payer's claim control number of the claim this one replaces (after REF*G1).
        segments.append(segment("REF", "F8", correction.cleaned_number(claim.replaces)))
    segments.append(_diagnoses(claim.diagnoses))
    for position, line in enumerate(claim.lines, start=1):
        segments.extend(_line(position, line, claim))
    return segments


def _diagnoses(codes: tuple[str, ...]) -> str:
    coded = [
        f"{'ABK' if i == 0 else 'ABF'}{x12.COMPONENT}{code.replace('.', '').upper()}"
        for i, code in enumerate(codes[:12])
    ]
    return segment("HI", *coded)


def _line(position: int, line: ServiceLine, claim: Claim) -> list[str]:
    procedure = x12.COMPONENT.join(("HC", line.hcpcs.upper(), *line.modifiers[:4]))
    pointers = x12.COMPONENT.join(str(p) for p in line.pointers[:4])
    segments = [
        segment("LX", position),
        segment("SV1", procedure, x12.amount(line.charge), "UN", line.units, "", "", pointers),
        segment("DTP", "472", "D8", x12.ccyymmdd(line.service_date)),
    ]
    if claim.ordering is not None:
        o = claim.ordering
        segments.append(
            segment(
                "NM1", "DK", "1", text(o.last_name), text(o.first_name, 35), "", "", "", "XX", o.npi
            )
        )
    return segments


def is_production_file(content: str) -> bool:
    """True when the interchange's ISA15 is P (production), False for a test file (T).

    The ISA header has fixed widths: its fourth character is the element separator, and
    ISA15 is its sixteenth element."""
    if not content.startswith("ISA") or len(content) < 4:
        return False
    elements = content.split(content[3], 16)
    return len(elements) > 15 and elements[15] == "P"
