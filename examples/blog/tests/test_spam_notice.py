"""The spam notice under the form says what the site really does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from blog_test_support import example_env
from threadkit_example import create_app


class FakeAkismet(BaseHTTPRequestHandler):
    """Just enough of Akismet's protocol for start-up: verify-key says valid, nothing is spam."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        body = b"valid" if self.path.endswith("/verify-key") else b"false"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def akismet() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAkismet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/1.1/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_without_akismet_the_notice_does_not_claim_it(tmp_path: Path) -> None:
    """No Akismet key: the notice describes the site's own checks, not Akismet."""
    app = create_app({"TESTING": True}, env=example_env(tmp_path))
    page = app.test_client().get("/posts/a-quiet-post").get_data(as_text=True)
    assert "Akismet" not in page
    assert "checked for spam" in page
    app.extensions["threadkit_example"]["store"].close()


def test_with_akismet_the_form_shows_its_privacy_notice(tmp_path: Path, akismet: str) -> None:
    """With an Akismet key the form says "This site uses Akismet to reduce spam" with the link."""
    env = example_env(tmp_path, THREADKIT_AKISMET_KEY="k123", THREADKIT_AKISMET_ENDPOINT=akismet)
    app = create_app({"TESTING": True}, env=env)
    page = app.test_client().get("/posts/a-quiet-post").get_data(as_text=True)
    assert "This site uses Akismet to reduce spam." in page
    assert "https://akismet.com/privacy/" in page
    app.extensions["threadkit_example"]["store"].close()
