"""Only the host's login lets anyone comment: a logged-out visitor is told so, never a bare form."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from tkflask_support import create_app

from threadkit.engine import CommentEngine
from threadkit.identity import CallableSessionProvider
from threadkit.memory import MemoryStore


def _respond(login_url: str | None) -> str:
    """The reply form part of a post page, for a visitor, with only the host's users."""
    site_users = CallableSessionProvider("site", lambda request: None, login_url=login_url)
    config = {"THREADKIT_ALLOW_EMPTY_PIPELINE": True}
    app = create_app(CommentEngine(MemoryStore()), providers=[site_users], config=config)
    client: FlaskClient = app.test_client()
    html = client.get("/posts/only-users").get_data(as_text=True)
    return html[html.index('class="tk-respond"') :]


def test_a_login_url_is_linked_with_the_way_back() -> None:
    """login_url set: "Log in to comment." links there, next= back to the form; no fields."""
    respond = _respond("/login")
    link = re.search(r'<p class="tk-login-needed"><a href="([^"]+)">([^<]+)</a>', respond)
    assert link is not None
    assert ("/login?next=/posts/only-users%23respond-tk1", "Log in to comment.") == (
        link[1],
        link[2],
    )
    assert ("<textarea" in respond, 'name="name"' in respond) == (False, False)


def test_without_a_login_url_the_visitor_is_still_told() -> None:
    """No login_url: a sentence says to log in on the site, instead of an empty form."""
    respond = _respond(None)
    assert '<p class="tk-login-needed">Log in on this site to comment.</p>' in respond
