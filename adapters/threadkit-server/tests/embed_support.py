"""Helpers for the embed's browser tests: the static site, a cookie probe, a strict browser.

The example site (``examples/static-site/site``) is served as it ships, but for
its script tags, which point at the example's comment server
(``http://localhost:8080``) and are pointed at the test's server instead.

Cookies are scoped by site, not by port: 127.0.0.1:A and 127.0.0.1:B are one
site. So the static pages are served on ``127.0.0.1`` and the comment server
is reached as ``localhost`` (both loopback, two sites): a cookie of the comment
server's inside the page is a real third-party cookie.
"""

from __future__ import annotations

import functools
import html
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from threadkit_flask.testing import CHROMIUM_ARGS, require_chromium

from threadkit.testing.http_server import serve_in_thread

__all__ = ["EXAMPLE_SERVER", "SITE", "as_localhost", "serve_site", "site_url", "strict_browser"]

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "examples" / "static-site" / "site"
EXAMPLE_SERVER = "http://localhost:8080"
"""The comment server the example's pages name in their script tags."""

PROBE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>probe</title>
</head><body><iframe src="{frame}" title="cookie probe"></iframe></body></html>
"""
PROBE_COOKIE = "tk-probe=1; SameSite=None; Secure; Path=/"
"""The most permissive cookie a server can set: only a third-party-cookie block stops it."""


def as_localhost(url: str) -> str:
    """Return ``url`` with its host 127.0.0.1 written as localhost (another site, same server)."""
    return url.replace("://127.0.0.1:", "://localhost:", 1)


class _SiteServer(ThreadingHTTPServer):
    """The static site's server; ``comment_server`` is where its script tags point.

    ``extra_pages`` maps more paths to HTML (a test's own pages, beside the example's).
    """

    def __init__(self, address: tuple[str, int], handler: Any) -> None:
        super().__init__(address, handler)
        self.comment_server = EXAMPLE_SERVER
        self.extra_pages: dict[str, str] = {}


class _SiteHandler(SimpleHTTPRequestHandler):
    """The site's files (HTML pointed at the comment server), ``/probe`` and ``/set-cookie``."""

    server: _SiteServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        """Serve the probe routes, an HTML page with its tags rewritten, else a file."""
        path, _, query = self.path.partition("?")
        if path == "/set-cookie":
            self._answer(b"cookie set", {"Set-Cookie": PROBE_COOKIE})
        elif path == "/probe" and query.startswith("frame="):
            frame = html.escape(unquote(query[len("frame=") :]), quote=True)
            self._answer(PROBE_PAGE.format(frame=frame).encode(), {})
        elif path in self.server.extra_pages:
            text = self.server.extra_pages[path]
            self._answer(text.replace(EXAMPLE_SERVER, self.server.comment_server).encode(), {})
        elif path.endswith(".html") or path.endswith("/"):
            file = Path(self.translate_path(path + ("index.html" if path.endswith("/") else "")))
            if not file.is_file():
                self.send_error(404)
                return
            text = file.read_text(encoding="utf-8")
            self._answer(text.replace(EXAMPLE_SERVER, self.server.comment_server).encode(), {})
        else:
            super().do_GET()

    def _answer(self, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_site() -> Iterator[_SiteServer]:
    """Serve the example site on 127.0.0.1; yield its server.

    Set the server's ``comment_server`` to the comment server's base URL: the
    pages' script tags are rewritten to it as they are served.
    """
    handler = functools.partial(_SiteHandler, directory=str(SITE))
    with serve_in_thread(_SiteServer(("127.0.0.1", 0), handler)) as server:
        yield server


def site_url(server: _SiteServer) -> str:
    """Return the base URL of a server from :func:`serve_site`."""
    return f"http://127.0.0.1:{server.server_port}"


@contextmanager
def strict_browser(*, block_third_party_cookies: bool = True) -> Iterator[Any]:
    """Yield a Playwright ``BrowserContext`` of headless Chromium with a real profile.

    The profile's preference ``profile.cookie_controls_mode`` is 1 ("Block
    third-party cookies", what Safari and Firefox do by default) or 0 (allow
    them, for the control case). A profile is needed: Playwright's throwaway
    contexts are incognito ones, and this Chromium has no command-line flag for
    it (``--test-third-party-cookie-phaseout`` changes nothing in Chromium 156).
    """
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    mode = 1 if block_third_party_cookies else 0
    with tempfile.TemporaryDirectory(prefix="tk-chromium-") as profile:
        (Path(profile) / "Default").mkdir()
        preferences = {"profile": {"cookie_controls_mode": mode}}
        (Path(profile) / "Default" / "Preferences").write_text(json.dumps(preferences))
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
            )
            try:
                yield context
            finally:
                context.close()
