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


@contextmanager
def chromium_beside_the_orm() -> Iterator[Any]:
    """:func:`chromium`, with Django's async-unsafe check off while it runs.

    Playwright's sync API keeps an event loop in this thread; the ORM calls a test
    makes here are still plain synchronous ones (Django's docs name this switch for it).
    """
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with chromium() as browser:
            yield browser
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before
