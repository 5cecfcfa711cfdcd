"""The people of the case service's tests: a physical therapist who writes cases and a
physician of the same clinic who may sign them."""

from __future__ import annotations

import pytest


@pytest.fixture
def clinician(make_user):
    return make_user("clinician", credential="PT")


@pytest.fixture
def signer(make_user):
    return make_user("practitioner", credential="MD", name="Sam Lee")
