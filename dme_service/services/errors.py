"""The one base of every refusal a service answers with words for people.

A view or the API shows `message` and answers `status`; a command prints it and exits 2.
Signing, billing, documents and links refine it; a case that is not in the user's clinic is
`store.cases.CaseNotFound`, which carries the same two attributes, so `REFUSALS` catches both.
"""

from __future__ import annotations

from dme_service.store.cases import CaseNotFound


class Refusal(Exception):
    """A refusal with words for people; `status` is the HTTP status a view answers with."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleCase(Refusal):
    """The case moved on since the user loaded it (DB-3); carries its current state."""

    def __init__(self, case) -> None:
        super().__init__(
            f"Case {case.id} changed while you were looking at it: it is now "
            f"{case.billing_state.replace('_', ' ')} (version {case.version})."
        )
        self.case_id = case.id
        self.current_state = case.billing_state
        self.current_version = case.version


REFUSALS = (Refusal, CaseNotFound)
