"""The example blog's hardening (issue #11): what a newcomer running it gets without asking."""

from __future__ import annotations

import json

from blog_test_support import comment_form
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

SLUG = "sourdough-in-a-cold-kitchen"
EVIL = "evil.example"


def _csrf(client: FlaskClient) -> str:
    token: str = client.get("/comments/api/me").get_json()["csrf_token"]
    return token


def test_a_post_to_a_key_that_is_no_blog_post_is_refused(client: FlaskClient) -> None:
    """Only the blog's own posts take comments; any other key is a 404 naming the setting."""
    response = client.post(
        "/comments/api/threads/not-a-post/comments",
        json={"body": "Hello", "name": "Ada"},
        headers={"X-Threadkit-CSRF": _csrf(client)},
    )
    assert (404, "thread_not_found") == (response.status_code, response.get_json()["code"])
    assert "THREADKIT_THREAD_POLICY" in response.get_json()["detail"]


def test_a_post_to_a_blog_post_is_accepted(client: FlaskClient) -> None:
    """The form under a post still works (the policy only refuses strangers' keys)."""
    form = comment_form(client.get(f"/posts/{SLUG}").get_data(as_text=True))
    fields = dict(form.fields, body="A fine loaf.", name="Ada")
    assert 303 == client.post(form.action, data=fields).status_code


def test_a_post_page_carries_the_security_headers(client: FlaskClient) -> None:
    """The host page that renders a thread has a CSP without inline script and nosniff."""
    page = client.get(f"/posts/{SLUG}")
    assert "nosniff" == page.headers["X-Content-Type-Options"]
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp
    assert "unsafe-inline" not in csp


def test_spoofed_host_appears_in_no_absolute_link(client: FlaskClient) -> None:
    """Feeds and the login callback use the configured site URL, whatever Host says."""
    feed = client.get("/comments/feeds/recent.atom", headers={"Host": EVIL})
    assert EVIL not in feed.get_data(as_text=True)
    assert "http://127.0.0.1:8000/comments/feeds/recent.atom" in feed.get_data(as_text=True)
    login = client.get("/comments/auth/demo/login?next=/", headers={"Host": EVIL})
    assert 302 == login.status_code
    assert EVIL not in login.headers["Location"]


def test_session_cookie_has_no_commenter_details_in_clear(app: Flask, client: FlaskClient) -> None:
    """After commenting, the (signed, readable) cookie holds no name, email or website."""
    form = comment_form(client.get(f"/posts/{SLUG}").get_data(as_text=True))
    fields = dict(form.fields, body="Crumb!", name="Ada Lovelace", email="ada@example.org")
    assert 303 == client.post(form.action, data=fields).status_code
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    readable = json.dumps(serializer.loads(cookie.value))
    assert "Ada Lovelace" not in readable
    assert "ada@example.org" not in readable
    again = comment_form(client.get(f"/posts/{SLUG}").get_data(as_text=True))
    assert "ada@example.org" == again.fields.get("email")
