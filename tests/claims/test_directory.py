"""The payer directory: every policy pack has an entry; unconfirmed values say so."""

from __future__ import annotations

import os

from dme_service.claims import directory, scrub
from dme_service.coding import payers


def test_every_payer_with_a_policy_pack_has_an_entry():
    packs = {n[:-5] for n in os.listdir(payers.PAYERS_DIR) if n.endswith(".toml")}
    assert packs - {"self_pay"} <= set(directory._raw()["payers"])


def test_medicare_goes_to_the_dme_mac_of_the_patients_state():
    assert directory.entry("medicare", "PA").jurisdiction == "A"
    assert directory.entry("medicare", "OH").jurisdiction == "B"
    assert directory.entry("medicare", "TX").jurisdiction == "C"
    assert directory.entry("medicare", "ca").jurisdiction == "D"
    assert directory.entry("medicare", "PA").payer_id.value == "16003"


def test_each_state_is_in_exactly_one_jurisdiction():
    jurisdictions = directory._raw()["jurisdictions"].values()
    counted = [s for j in jurisdictions for s in j["states"]]
    assert len(counted) == len(set(counted)) == 56
    assert set(counted) == scrub.STATES


def test_unconfirmed_values_are_shown_so():
    aetna = directory.entry("aetna")
    assert not aetna.phone.confirmed
    assert str(aetna.phone).endswith("(unconfirmed)")
    jb = directory.entry("medicare", "IL")
    assert "(unconfirmed)" in str(jb.payer_id)


def test_filing_codes_are_837p_codes():
    allowed = {
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "AM",
        "BL",
        "CH",
        "CI",
        "DS",
        "FI",
        "HM",
        "LM",
        "MA",
        "MB",
        "MC",
        "OF",
        "TV",
        "VA",
        "WC",
        "ZZ",
    }  # pyx12 map, SBR09
    for key in directory._raw()["payers"]:
        assert directory.entry(key, "PA").claim_filing_code in allowed
