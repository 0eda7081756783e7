"""The spam notice under the form says what the site really does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from blog_test_support import example_env
from threadkit_example import create_app

from threadkit.testing.http_server import FakeHTTPServer, RecordedRequest, Reply


class FakeAkismet(FakeHTTPServer):
    """Just enough of Akismet's protocol for start-up: verify-key says valid, nothing is spam."""

    def handle(self, request: RecordedRequest) -> Reply:
        """Say the key is valid and the comment is not spam."""
        return Reply(200, "valid" if request.path.endswith("/verify-key") else "false")


@pytest.fixture
def akismet() -> Iterator[str]:
    with FakeAkismet() as fake:
        yield f"{fake.base_url}/1.1/"


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
