"""The 835: files a payer would send are read whole; anything else is refused, naming where."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from dme_service.claims import x835, x835_build
from dme_service.claims.x835 import Payee, RemittanceRefused

from .pyx12_check import validate
from .remits import deductible, denied, paid, remittance, reversal
from .samples import e0849, e0860_nu

CLINIC = Payee(npi="1234567893", tax_id="12-3456789")


def three_outcomes() -> str:
    return x835_build.build(
        remittance(
            paid(e0860_nu("C1"), "26340000001"),
            denied(e0849("C2", "KX"), "26340000002"),
            deductible(e0860_nu("C3"), "26340000003"),
        )
    )


def test_the_test_835_is_valid_x12():
    # pyx12 validates it against the X221A1 map (ST03 "not used" there) but cannot write a 999
    # for an ST without ST03 (error_999: "err_st.vriic was not set"): the validation result is
    # the check here.
    ok, _ack = validate(three_outcomes())
    assert ok


def test_reads_paid_denied_and_deductible():
    r = x835.parse(three_outcomes(), CLINIC)
    assert r.total_paid == D("120.00") and r.trace_number == "EFT0001"
    first, second, third = r.claims
    assert (first.control_number, first.paid, first.payer_icn) == ("C1", D("80.00"), "26340000001")
    line = first.lines[0]
    assert (line.allowed, line.contractual, line.patient_responsibility) == (
        D("100.00"),
        D("50.00"),
        D("20.00"),
    )
    assert second.denied and second.lines[0].remarks == ("N115",)
    assert [(a.group, a.reason) for a in second.lines[0].adjustments] == [("CO", "50")]
    assert third.paid == D("40.00") and third.patient_responsibility == D("60.00")
    assert ("PR", "1", D("60.00")) in [
        (a.group, a.reason, a.amount) for a in third.lines[0].adjustments
    ]


def test_negative_adjustments_are_read():
    claim = paid(e0860_nu("C1"), "1")
    line = claim.lines[0]
    # The payer gives back 5.00 it had reduced earlier: CO-45 of -5.00, paid 5.00 more.
    from dataclasses import replace

    from dme_service.claims.remittance import Adjustment

    adjustments = (*line.adjustments, Adjustment("CO", "45", D("-5.00")))
    line = replace(line, paid=line.paid + 5, adjustments=adjustments)
    claim = replace(claim, paid=claim.paid + 5, lines=(line,))
    r = x835.parse(x835_build.build(remittance(claim)), CLINIC)
    assert r.claims[0].lines[0].contractual == D("45.00")


def refusal(text, payee=CLINIC) -> RemittanceRefused:
    with pytest.raises(RemittanceRefused) as caught:
        x835.parse(text, payee)
    return caught.value


def test_not_x12_is_refused():
    assert "not an X12 file" in refusal("Patient,Amount\nWalter,80.00\n").reason
    assert "not an X12 file" in refusal(b"\x89PNG\r\n\x1a\n\x00\x00").reason


def test_wrong_version_is_refused():
    error = refusal(three_outcomes().replace("005010X221A1", "004010X091A1"))
    assert error.segment == "segment 2 (GS)" and "004010X091A1" in error.reason


def test_an_837_is_not_a_remittance():
    from dme_service.claims import x837

    from .samples import CLINIC as PROVIDER
    from .samples import ENVELOPE

    error = refusal(x837.build(ENVELOPE, PROVIDER, [e0860_nu()]))
    assert "not an 835" in error.reason


def test_truncated_file_is_refused():
    text = three_outcomes()
    cut = text[: text.index("CLP*C3")]
    error = refusal(cut)
    assert "truncated" in error.reason or "balance" in error.reason or "sum" in error.reason


def test_file_missing_its_trailers_is_refused_as_truncated():
    text = three_outcomes()
    error = refusal(text[: text.index("GE*")])
    assert "truncated" in error.reason


def test_another_clinics_remittance_is_refused():
    error = refusal(three_outcomes(), Payee(npi="1245319599", tax_id="98-7654321"))
    assert error.segment.endswith("(N1)") and "not this clinic" in error.reason


def test_unbalanced_payment_is_refused():
    text = three_outcomes().replace("BPR*I*120*", "BPR*I*125*")
    assert "not the sum" in refusal(text).reason


def test_bad_amount_names_the_segment():
    text = three_outcomes().replace("CLP*C1*1*150*80", "CLP*C1*1*150*8O")
    error = refusal(text)
    assert "(CLP)" in error.segment and "not an amount" in error.reason


def reversal_and_correction() -> str:
    """The DME MAC takes back its payment of claim C1 and pays the corrected claim, in one 835
    (reversal first, X12 RFI 791): the payment nets to nothing, a notification (BPR01 H)."""
    original = paid(e0860_nu("C1"), "26340000001")
    corrected = paid(e0860_nu("C1"), "26340000009")
    return x835_build.build(remittance(reversal(original), corrected))


def test_a_reversal_and_its_corrected_payment_are_valid_x12():
    ok, _ack = validate(reversal_and_correction())
    assert ok


def test_a_reversal_is_read_with_its_amounts_negative():
    r = x835.parse(reversal_and_correction(), CLINIC)
    assert r.total_paid == D("0.00")
    taken, corrected = r.claims
    assert taken.reversal and not taken.denied and taken.status_words.startswith("reversal")
    assert (taken.charge, taken.paid, taken.patient_responsibility) == (
        D("-150.00"),
        D("-80.00"),
        D("-20.00"),
    )
    line = taken.lines[0]
    assert (line.allowed, line.contractual, line.patient_responsibility) == (
        D("-100.00"),
        D("-50.00"),
        D("-20.00"),
    )
    assert (corrected.status, corrected.paid, corrected.payer_icn) == (
        "1",
        D("80.00"),
        "26340000009",
    )
    assert not corrected.reversal
