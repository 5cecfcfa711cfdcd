"""Views validate, call one service and answer: the transaction and its audit row belong to
the service (README "Architecture"). `lint-imports` keeps models and SQLAlchemy out of web/;
this keeps commits and audit writes out, which no import contract can see."""

from __future__ import annotations

import ast
import pathlib

WEB = pathlib.Path(__file__).resolve().parents[1] / "dme_service" / "web"


def calls_named(name: str) -> list[str]:
    """`module.py:line` of every call of an attribute or function called `name` in web/."""
    found = []
    for path in sorted(WEB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                called = node.func
                called_name = getattr(called, "attr", None) or getattr(called, "id", None)
                if called_name == name:
                    found.append(f"{path.relative_to(WEB)}:{node.lineno}")
    return found


def test_no_view_commits_a_transaction():
    assert calls_named("commit") == []


def test_no_view_writes_an_audit_row():
    imports_audit = [
        str(path.relative_to(WEB))
        for path in sorted(WEB.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom | ast.Import)
        and any(
            "dme_service.audit" in (f"{getattr(node, 'module', '') or ''}.{a.name}")
            for a in node.names
        )
    ]
    assert imports_audit == []
