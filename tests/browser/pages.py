"""Pages of the browser tests: a signed-in page of its own for each user, axe-core's scan, and
the whole page's screenshot (docs/screenshots when refreshing them, else a throwaway folder).

Each user's page opens in a browser context of its own (its own cookies), at a desktop size,
collecting the page's script errors in `page.errors`. axe-core is injected from node_modules
(`make deps` installs it), which is why CSP is bypassed; the app's own pages need no bypass.
"""

from __future__ import annotations

import pytest

from browser import screenshot_dir
from dme_service.config import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOTS = screenshot_dir()


def open_as(browser, base_url, user):
    """A new page signed in as `user` (their e-mail and password), on their home page."""
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def serious_violations(page) -> list[str]:
    """axe-core's serious or critical violations on the page.

    Without axe-core nothing is scanned; a test that must scan ends with `require_axe`, which
    skips it with the reason after every other check has run.
    """
    if not AXE.exists():
        return []
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )


def require_axe() -> None:
    if not AXE.exists():
        pytest.skip(f"axe-core not installed ({AXE}); run `make deps` to scan for violations")


def shot(page, name: str) -> None:
    """The whole page as `name`.png in the screenshots folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
