"""Who is signed in, as the page layout's header shows it (name, role, clinic, Sign out).

Read once per request, before the access hook, so an error page can still render after the
database failed (LOG-4); read again when a request signs the user in and answers with a page
itself (the case page made from the entries kept across a sign-in), so its header is the
signed-in user's, not the signed-out one's.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, as the page layout shows it."""

    name: str
    role: str
    clinic: str


def remember_viewer() -> None:
    from flask_login import current_user

    g.viewer = None
    if current_user.is_authenticated:
        g.viewer = Viewer(current_user.name, current_user.role, current_user.clinic.name)
