"""Browser-test support: the app on a live server (127.0.0.1, a free port, a fresh database), the system Chromium
driven by Playwright, axe-core (vendored) on every page, and screenshots of the main pages."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = "/static/vendor/axe-core-4.11.0/axe.min.js"
# Screenshots go to test-results/ (ignored); SWARM_SCREENSHOTS=docs/img refreshes the README's pictures.
SCREENSHOTS = Path(
    os.environ.get("SWARM_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-results" / "screenshots")
)

# The browser windows the tests use: a desktop and a phone (an iPhone 12-15's CSS pixels).
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# The outermost elements that stick out to the right: what a page too wide for a phone must fix.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
            && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className
                    + ' ' + Math.round(e.getBoundingClientRect().right))"""

requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no system Chromium at /usr/bin/chromium (apt-get install chromium)"
)


class LiveServer:
    """The WSGI app served by werkzeug in a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@dataclass
class PageChecker:
    """Runs axe-core on a page and collects what the browser console says about the CSP."""

    base_url: str
    phone: bool = False  # also refuse a page that scrolls sideways (see too_wide)
    checked: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on(
            "console",
            lambda message: (
                self.csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def axe(self, page) -> None:
        """Zero axe violations on the page as it is now (every rule: WCAG 2.x A and AA, and best practices)."""
        from playwright.sync_api import Error as PlaywrightError

        for attempt in range(3):
            # a click on a link may still be navigating: wait for the new page, and start again if the
            # document went away under the injection (seen in CI: "Cannot read properties of null")
            page.wait_for_load_state("load")
            try:
                if not page.evaluate("typeof window.axe !== 'undefined'"):
                    page.add_script_tag(url=self.base_url + AXE)  # same origin: allowed by the CSP
                result = page.evaluate("() => axe.run(document)")
                break
            except PlaywrightError:
                if attempt == 2:
                    raise
        violations = [
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in result["violations"]
        ]
        assert not violations, f"axe on {page.url}: {violations}"
        if self.phone:
            assert not too_wide(page), f"{page.url} scrolls sideways on a phone: {too_wide(page)}"
        self.checked.append(page.url)


def too_wide(page) -> tuple[int, list[str]] | None:
    """None when the page fits its window; else how many pixels it scrolls sideways and what sticks out."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return (overflow, page.evaluate(WIDEST)) if overflow > 0 else None


def screenshot(page, name: str) -> None:
    """A full-page picture; at phone width its name ends in -phone."""
    if page.viewport_size and page.viewport_size["width"] <= PHONE["width"]:
        name = f"{name}-phone"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, checker: PageChecker, email: str, password: str) -> None:
    """Log in through the Dutch login form (checking the form with axe on the way)."""
    page.goto("/login")
    checker.axe(page)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
