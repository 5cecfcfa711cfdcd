"""Fixtures of the CDS Hooks tests: the adapted test-kit and reference-implementation
requests (fixtures/, see NOTICE.md)."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
SERVICE_OF_HOOK = {
    "order-select": "dme-traction-order-select",
    "order-sign": "dme-traction-order-sign",
}


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.json"))
