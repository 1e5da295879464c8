"""The web tests' browser, shared by the modules that drive a real page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium (Playwright's own browser download is never used).

    Module-scoped and started here rather than with pytest-playwright's session-wide
    fixtures: a live sync Playwright marks its event loop as running in this thread,
    which would stop every later asyncio test of the session.
    """
    exe = (os.environ.get("CHROMIUM") or shutil.which("chromium-headless-shell")
           or shutil.which("chromium"))
    if not exe:
        pytest.skip("no Chromium: apt-get install chromium-headless-shell")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=exe)
        yield browser
        browser.close()
