"""Helpers for testing a Flask app with threadkit in it: a real server, a real browser.

Used by threadkit's own browser tests and meant for host apps' tests too::

    from threadkit_flask.testing import launch_chromium, serve

    def test_comment_in_the_browser(app):
        with serve(app) as base_url, launch_chromium() as browser:
            page = browser.new_page()
            page.goto(f"{base_url}/posts/1")

The browser is Debian's Chromium (``/usr/bin/chromium``) driven by Playwright
for Python; neither is a dependency of this package (install ``playwright``
and the ``chromium`` Debian package to use :func:`launch_chromium`).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from threadkit.testing.http_server import serve_in_thread

__all__ = [
    "CHROMIUM_ARGS",
    "chromium_path",
    "free_port",
    "launch_chromium",
    "require_chromium",
    "serve",
    "watch_errors",
]

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, which a closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Flags for headless Chromium run as root on a machine without outside network."""


def chromium_path() -> str | None:
    """Return where Chromium is installed, or ``None``."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def require_chromium() -> str:
    """Return Chromium's path; otherwise skip the test, or fail it when ``CI=true``.

    CI must never go green by skipping the browser tests.
    """
    import pytest

    path = chromium_path()
    if path is not None:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is missing; CI must run the browser tests (./dev test installs it)")
    pytest.skip("Chromium is not installed (install Debian's chromium to run browser tests)")


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """Start headless Chromium under Playwright; yield the ``Browser`` and close it after."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` with werkzeug on 127.0.0.1 at a free port; yield its base URL."""
    with serve_in_thread(make_server("127.0.0.1", 0, app, threaded=True)) as server:
        yield f"http://127.0.0.1:{server.server_port}"


def watch_errors(page: Any) -> list[str]:
    """Return a list that collects the script errors and console errors ``page`` reports.

    Console errors include Content-Security-Policy violations, so a test that
    ends with ``assert [] == errors`` also proves the page broke no CSP rule.
    """
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    return errors


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now.

    For servers that must be told their port up front (gunicorn, aiosmtpd);
    another process may take it before they bind, so prefer port 0 where a
    server can report the port it got (as :func:`serve` does).
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
