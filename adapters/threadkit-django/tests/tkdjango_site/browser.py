"""Headless Debian Chromium under Playwright, for the Django browser tests.

Kept here rather than imported from ``threadkit_flask.testing`` so the Django
tests do not need Flask; both belong in a framework-neutral test kit.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

# Offline, as root: no sandbox, and none of Chromium's calls home.
_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium() -> Iterator[Any]:
    """Yield a Playwright ``Browser``; skip without Chromium, or fail when ``CI=true``."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing; CI must run the browser tests")
        pytest.skip("Chromium is not installed (install Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
