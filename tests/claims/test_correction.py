"""A corrected claim: CLM05-3 = 7 with REF*F8 (the payer's number of the claim it replaces),
validated with pyx12; the scrubber refuses one whose original claim number is unknown."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dme_service.claims import correction, reopening, scrub, x837
from dme_service.claims.facts import Payer

from .pyx12_check import accepted, validate
from .samples import CLINIC, ENVELOPE, e0849, e0860_nu

TODAY = date(2026, 12, 6)
AETNA = Payer("aetna", "Aetna", "60054", "CI")
IBX_MA = Payer("ibx_ma", "Independence Blue Cross Medicare Advantage", "54704", "16")


def segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def _clm(text: str) -> str:
    return next(s for s in segments(text) if s.startswith("CLM*"))


def test_an_original_claim_says_frequency_1_and_carries_no_f8():
    text = x837.build(ENVELOPE, CLINIC, [e0860_nu()])
    assert _clm(text).split("*")[5] == "12:B:1"
    assert not [s for s in segments(text) if s.startswith("REF*F8")]


@pytest.mark.parametrize(
    "claim",
    [
        replace(e0860_nu(), frequency="7", replaces="2226340123456"),
        replace(e0849("C13", "KX"), frequency="7", replaces="26340A-77", prior_auth="PA-7781"),
    ],
    ids=["E0860-replaces-medicare-icn", "E0849-with-prior-auth"],
)
def test_a_replacement_claim_validates_with_pyx12(claim):
    text = x837.build(ENVELOPE, CLINIC, [claim])
    ok, ack = validate(text)
    assert ok and accepted(ack), ack
    assert _clm(text).split("*")[5] == "12:B:7"
    assert f"REF*F8*{claim.replaces}" in segments(text)


def test_the_payer_number_follows_the_prior_authorization_in_the_claim_loop():
    claim = replace(e0849("C13", "KX"), frequency="7", replaces="26340a77", prior_auth="PA-1")
    found = segments(x837.build(ENVELOPE, CLINIC, [claim]))
    g1, f8 = found.index("REF*G1*PA-1"), found.index("REF*F8*26340a77")  # case kept
    assert g1 + 1 == f8 and found[f8 + 1].startswith("HI*")


def test_an_original_and_a_replacement_in_one_file_validate():
    claims = [e0860_nu("C20"), replace(e0860_nu("C21"), frequency="7", replaces="12345")]
    text = x837.build(ENVELOPE, CLINIC, claims)
    ok, ack = validate(text)
    assert ok and accepted(ack), ack
    frequencies = [s.split("*")[5] for s in segments(text) if s.startswith("CLM*")]
    assert frequencies == ["12:B:1", "12:B:7"]


@pytest.mark.parametrize(
    ("frequency", "number", "refused"),
    [
        ("1", "", False),  # an original claim needs no number
        ("7", "2226340123456", False),
        ("7", "", True),  # unknown: the 835 of the original claim never came
        ("7", "   ", True),
        ("7", "12*34~ST", True),  # would break the file
        ("7", "1" * 51, True),  # longer than REF02 allows
    ],
)
def test_the_scrubber_refuses_a_replacement_without_a_usable_payer_number(
    frequency, number, refused
):
    claim = replace(e0860_nu(), payer=AETNA, frequency=frequency, replaces=number)
    ready, problems = scrub.scrub(CLINIC, [claim], TODAY)
    assert bool(problems) is refused and bool(ready) is not refused
    if refused:
        assert problems[0].field == "payer's claim number of the original claim"


def test_the_refusal_for_an_unknown_number_says_where_the_number_comes_from():
    message = correction.number_problem("7", "")
    assert "corrected claim" in message and "835" in message and "Post that 835" in message


@pytest.mark.parametrize(
    ("pending", "number", "expected"),
    [
        (True, "2226340123456", "It replaces payer claim 2226340123456."),
        (True, None, "is not known yet"),
        (False, "2226340123456", "Corrected claim sent on 2026-12-07 replacing payer claim"),
    ],
)
def test_billing_reads_the_corrected_claim_in_words(pending, number, expected):
    text = correction.words(
        pending=pending,
        order_version=2,
        payer_claim_number=number,
        changed="force 12 lb → 10 lb",
        sent_on=date(2026, 12, 7),
    )
    assert expected in text
    assert "order version 2" in text
    assert "CLM" not in text and "REF" not in text  # no X12 in a biller's words


@pytest.mark.parametrize(
    ("payer", "remarks", "path"),
    [
        ("aetna", (), correction.REPLACEMENT_CLAIM),
        ("ibx_ma", (), correction.REPLACEMENT_CLAIM),  # Medicare Advantage: a private plan
        ("medicare", (), correction.REOPENING),
        ("medicare", ("N115",), correction.REOPENING),
        ("medicare", ("MA130",), correction.NEW_CLAIM),  # unprocessable: cannot be reopened
        ("aetna", ("MA130",), correction.REPLACEMENT_CLAIM),
    ],
)
def test_which_way_a_corrected_claim_goes_by_payer(payer, remarks, path):
    assert correction.path(payer, remarks) == path


@pytest.mark.parametrize(
    ("payer", "frequency", "refused"),
    [
        (AETNA, "7", False),
        (IBX_MA, "7", False),
        (None, "1", False),  # Medicare's original claim
        (None, "7", True),  # Medicare's DME MAC: a reopening, not a replacement
        (None, "8", True),
    ],
)
def test_the_scrubber_refuses_a_medicare_replacement_or_void_in_words(payer, frequency, refused):
    claim = replace(e0860_nu(), frequency=frequency, replaces="2226340123456")
    if payer is not None:
        claim = replace(claim, payer=payer)
    ready, problems = scrub.scrub(CLINIC, [claim], TODAY)
    found = [p for p in problems if p.field == "corrected claim"]
    assert bool(found) is refused and bool(ready) is not refused
    if refused:
        assert "reopen" in found[0].message and "claim page" in found[0].message


def _request(**changes):
    base = dict(
        method="telephone",
        requested_on=date(2026, 12, 8),
        reference="R-88812",
        icn="2226340123456",
    )
    return reopening.Request(**{**base, **changes})


@pytest.mark.parametrize(
    ("request_", "headline", "expected"),
    [
        (None, "Reopening needed", "ask the DME MAC to reopen the claim"),
        (_request(), "Reopening requested", "telephone reopening line on 2026-12-08"),
        (
            _request(method="redetermination", reference=None),
            "Redetermination requested",
            "as a redetermination (appeal)",
        ),
        (
            _request(outcome="adjusted", decided_on=date(2026, 12, 20)),
            "Reopening: claim corrected",
            "the DME MAC corrected the claim on 2026-12-20",
        ),
        (
            _request(outcome="declined", decided_on=date(2026, 12, 20)),
            "Reopening declined",
            "Ask for a redetermination",
        ),
    ],
)
def test_billing_reads_a_medicare_reopening_in_words(request_, headline, expected):
    pending = request_ is None
    kwargs = dict(pending=pending, path=correction.REOPENING, request=request_)
    assert correction.headline(**kwargs) == headline
    text = correction.words(
        order_version=2,
        payer_claim_number="2226340123456",
        changed="force 12 lb → 10 lb",
        late_after=date(2027, 12, 20),
        **kwargs,
    )
    assert expected in text and "force 12 lb → 10 lb" in text
    assert "2226340123456" in text
    assert "CLM" not in text and "REF" not in text


def test_a_reopening_still_to_ask_says_what_to_quote_and_by_when():
    text = correction.words(
        pending=True,
        order_version=2,
        payer_claim_number=None,
        changed="",
        path=correction.REOPENING,
        late_after=date(2027, 12, 20),
        suggested="redetermination",
    )
    assert text.startswith("Reopening needed")
    assert "not known yet" in text and "Ask by 2027-12-20" in text
    assert "redetermination" in text and "Do not send the claim again" in text


def test_an_unprocessable_medicare_claim_goes_again_as_a_new_claim():
    assert correction.headline(pending=True, path=correction.NEW_CLAIM) == "New claim needed"
    text = correction.words(
        pending=True, order_version=2, payer_claim_number=None, changed="", path="new_claim"
    )
    assert "MA130" in text and "new claim" in text
