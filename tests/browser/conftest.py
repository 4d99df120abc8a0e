"""Browser tests: Playwright for Python driving the system's Chromium.

Nothing downloads a browser: Chromium comes from the OS (``apt-get install chromium``, which
``.ci/run`` does) and is launched by its path. Without it these tests skip, saying why.
Screenshots of every test land in ``artifacts/browser/`` (gitignored), kept as CI artifacts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Where Debian's ``chromium`` package puts the browser; ``CHROMIUM`` overrides.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"


def chromium_path() -> str | None:
    override = os.environ.get("CHROMIUM")
    if override:
        return override if Path(override).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """One Chromium per module. Not per session: Playwright's sync API keeps an event loop
    running in this thread while it is open, which async tests run later would trip on."""
    path = chromium_path()
    if path is None:
        pytest.skip("no system Chromium (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    # Root cannot run Chromium's sandbox (CI runs as root); a normal user keeps it.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=args)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context and page; a screenshot of where it ended is kept."""
    from playwright.sync_api import Browser

    assert isinstance(chromium, Browser)
    context = chromium.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        finally:
            context.close()
