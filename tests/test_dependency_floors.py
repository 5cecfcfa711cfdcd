"""The offline half of security.md CI-2: installed packages are at least the release that fixed
each known advisory listed here (pen test L9: nothing checked them, and pip-audit could not
reach an advisory database from this network; see SECURITY.md "Dependencies").

Raise a floor when an advisory is published for a pinned package; cite it next to the floor.
"""

from __future__ import annotations

import configparser
import re
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

FLOORS = [
    # (distribution, first fixed release, advisories that release fixed)
    ("weasyprint", "70.0", "GHSA-jf6q-chmf-3h3v; CVE-2026-55073 (security.md PDF-2)"),
    ("gunicorn", "23.0.0", "CVE-2024-1135, CVE-2024-6827 (request smuggling)"),
    ("flask", "3.1.1", "CVE-2025-47278 (SECRET_KEY_FALLBACKS signing order)"),
    ("werkzeug", "3.0.6", "CVE-2024-49766, CVE-2024-49767 (safe_join, multipart exhaustion)"),
    ("jinja2", "3.1.6", "CVE-2025-27516 (sandbox escape through |attr)"),
    ("cryptography", "44.0.1", "CVE-2024-12797 (OpenSSL in the wheels)"),
    ("pyjwt", "2.10.1", "CVE-2024-53861 (issuer check by substring)"),
    ("pypdf", "6.0.0", "CVE-2025-55197 (FlateDecode memory exhaustion)"),
]


SETUP_CFG = Path(__file__).resolve().parents[1] / "setup.cfg"


def pinned() -> dict[str, str]:
    """Distribution (lower case) -> the version setup.cfg pins it to (`name==version`)."""
    config = configparser.ConfigParser()
    config.read(SETUP_CFG)
    lines = config["options"]["install_requires"].splitlines()
    pins = (re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", line.strip()) for line in lines)
    return {pin[1].lower(): pin[2] for pin in pins if pin}


@pytest.mark.parametrize(("name", "floor", "advisories"), FLOORS, ids=[f[0] for f in FLOORS])
def test_pentest_l9_installed_version_is_past_every_listed_advisory(name, floor, advisories):
    installed = Version(version(name))
    assert installed >= Version(floor), f"{name} {installed} < {floor}: {advisories}"


@pytest.mark.parametrize(("name", "floor", "advisories"), FLOORS, ids=[f[0] for f in FLOORS])
def test_setup_cfg_pins_every_listed_package_past_its_advisories(name, floor, advisories):
    """A fresh install gets what setup.cfg pins, whatever this machine has installed: each
    listed package is pinned (a transitive one too), at a release past its advisories."""
    pin = pinned().get(name)
    assert pin is not None, f"setup.cfg does not pin {name}: a fresh install may get any release"
    assert Version(pin) >= Version(floor), f"setup.cfg pins {name}=={pin} < {floor}: {advisories}"
