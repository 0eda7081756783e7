"""Bearer tokens for pages on other origins, and the popup login that hands one over."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from tkflask_support import FakeSSO, create_app, sender

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.identity import AnonymousProvider
from threadkit.testing import api_steps
from threadkit.testing.api_steps import anonymous_session

SITE_A = "https://a.example"
SITE_B = "https://b.example"
API = "/comments/api"


@pytest.fixture
def app(engine: CommentEngine) -> Flask:
    return create_app(
        engine,
        providers=[AnonymousProvider(), FakeSSO()],
        config={
            "THREADKIT_CORS_ORIGINS": [SITE_A, SITE_B],
            "THREADKIT_THREAD_POLICY": "any",
            "THREADKIT_ORIGIN_SETTING": "--site",
        },
    )


def new_token(client: FlaskClient, origin: str = SITE_A) -> str:
    """Ask for an anonymous token as a page on ``origin``."""
    return api_steps.new_token(sender(client), API, origin)


def bearer(token: str, origin: str = SITE_A) -> dict[str, str]:
    return api_steps.bearer(token, origin)


def post(client: FlaskClient, token: str, body: str) -> int:
    """Post ``body`` to post-9 with ``token``; return the new comment's id."""
    answer = client.post(
        f"{API}/threads/post-9/comments", json={"body": body, "name": "Ada"}, headers=bearer(token)
    )
    assert 201 == answer.status_code, answer.get_data(as_text=True)
    assert "Set-Cookie" not in answer.headers
    comment_id: int = answer.get_json()["id"]
    return comment_id


def edit(client: FlaskClient, token: str, comment_id: int, body: str) -> Any:
    """Edit a comment with ``token``; return the response."""
    return client.patch(f"{API}/comments/{comment_id}", json={"body": body}, headers=bearer(token))


def test_session_gives_an_anonymous_token_and_sets_no_cookie(client: FlaskClient) -> None:
    """POST /api/session from an allowed origin answers a token and who it is, without a cookie."""
    session, _ = anonymous_session(sender(client), API, SITE_A)
    assert "Set-Cookie" not in session.raw.headers


def test_anonymous_post_and_edit_with_a_token_need_no_csrf(client: FlaskClient) -> None:
    """With only a bearer token, the author posts and edits their comment without a CSRF token."""
    token = new_token(client)
    edited = edit(client, token, post(client, token, "hello"), "hello again")
    assert (200, "hello again") == (edited.status_code, edited.get_json()["body_source"])


def test_another_token_may_not_edit(client: FlaskClient) -> None:
    """A second browser's token is another author: editing the first one's comment is refused."""
    first, second = new_token(client), new_token(client)
    assert 403 == edit(client, second, post(client, first, "mine"), "theirs").status_code


def test_cookie_writes_still_need_csrf(client: FlaskClient) -> None:
    """Without a token, a JSON write still needs the session's CSRF token."""
    answer = client.post(f"{API}/threads/post-9/comments", json={"body": "hi", "name": "Ada"})
    assert (403, "csrf_failed") == (answer.status_code, answer.get_json()["code"])


def test_a_token_beside_a_session_cookie_still_needs_csrf(client: FlaskClient) -> None:
    """A request that also carries the session cookie must show the CSRF token."""
    client.get(f"{API}/me")  # gives this client a session cookie
    assert client.get_cookie("session") is not None
    answer = client.post(
        f"{API}/threads/post-9/comments",
        json={"body": "hi", "name": "Ada"},
        headers=bearer(new_token(client)),
    )
    assert (403, "csrf_failed") == (answer.status_code, answer.get_json()["code"])


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_a_tampered_token_is_a_401(client: FlaskClient, damage: str) -> None:
    """A token that was altered is refused with 401 invalid_bearer_token."""
    token = new_token(client)
    bad = {
        "flip": token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:],
        "truncate": token[:-10],
        "garbage": "not-a-token",
    }[damage]
    answer = client.get(f"{API}/me", headers=bearer(bad))
    assert (401, "invalid_bearer_token") == (answer.status_code, answer.get_json()["code"])


def test_an_expired_token_is_a_401(client: FlaskClient, clock: ManualClock) -> None:
    """After THREADKIT_TOKEN_TTL (30 days) a token is refused and says to get a new one."""
    token = new_token(client)
    clock.advance(days=30, seconds=1)
    answer = client.get(f"{API}/me", headers=bearer(token))
    body = answer.get_json()
    assert (401, "invalid_bearer_token") == (answer.status_code, body["code"])
    assert "expired" in body["detail"]


def test_a_token_from_one_origin_is_refused_on_another(client: FlaskClient) -> None:
    """A token issued to site A, sent from site B (also allowed), is a 401."""
    token = new_token(client, SITE_A)
    answer = client.get(f"{API}/me", headers=bearer(token, SITE_B))
    assert (401, "invalid_bearer_token") == (answer.status_code, answer.get_json()["code"])


def test_an_unlisted_origin_gets_403_naming_the_setting(client: FlaskClient) -> None:
    """An unlisted origin gets neither a token nor the API: a 403 that names the setting."""
    for answer in (
        client.post(f"{API}/session", headers={"Origin": "https://evil.example"}),
        client.get(f"{API}/threads/post-9", headers={"Origin": "https://evil.example"}),
    ):
        body = answer.get_json()
        assert (403, "origin_not_allowed") == (answer.status_code, body["code"])
        assert "--site" in body["detail"]


def test_session_renews_a_valid_token_for_the_same_author(client: FlaskClient) -> None:
    """Sending a valid token to /api/session gives a new token of the same browser."""
    token = new_token(client)
    comment_id = post(client, token, "mine")
    renewed = client.post(f"{API}/session", headers=bearer(token)).get_json()["token"]
    assert token != renewed
    assert 200 == edit(client, renewed, comment_id, "still mine").status_code


def _handoff(page: str) -> dict[str, Any]:
    found = re.search(r'id="threadkit-handoff"([^>]*)>', page)
    assert found is not None, page
    attributes = dict(re.findall(r'(data-tk-[a-z]+)="([^"]*)"', found.group(1)))
    return {name: html.unescape(value) for name, value in attributes.items()}


def test_popup_login_hands_a_token_to_the_exact_origin(client: FlaskClient) -> None:
    """A login with ?embed= ends on a page that posts the token to exactly that origin."""
    start = client.get("/comments/auth/sso/login", query_string={"embed": SITE_B})
    assert 302 == start.status_code
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    done = client.get("/comments/auth/sso/callback", query_string={"state": state, "code": "ok"})
    page = done.get_data(as_text=True)
    assert 200 == done.status_code
    assert "<script>" not in page
    assert "login-handoff.js" in page
    data = _handoff(page)
    assert SITE_B == data["data-tk-origin"]
    assert "Grace SSO" == json.loads(data["data-tk-me"])["identity"]["name"]
    me = client.get(f"{API}/me", headers=bearer(data["data-tk-token"], SITE_B)).get_json()
    assert (True, "Grace SSO") == (me["logged_in"], me["identity"]["name"])
    # The popup logged the token in, not this first-party browser session.
    assert False is client.get(f"{API}/me").get_json()["logged_in"]


def test_popup_login_refuses_an_unlisted_origin(client: FlaskClient) -> None:
    """?embed= with an origin not on the list is a 403 page that names the setting."""
    answer = client.get("/comments/auth/sso/login", query_string={"embed": "https://evil.example"})
    assert 403 == answer.status_code
    assert "--site" in answer.get_data(as_text=True)


def test_logout_with_a_token_touches_no_session(client: FlaskClient) -> None:
    """POST /api/logout with a token needs no CSRF token and sets no cookie (the page drops it)."""
    answer = client.post(f"{API}/logout", headers=bearer(new_token(client)))
    assert (200, "") == (answer.status_code, answer.get_json()["csrf_token"])
    assert "Set-Cookie" not in answer.headers


def test_a_token_votes_as_its_own_reader(client: FlaskClient) -> None:
    """Another reader's token votes on a comment; the author's own token may not."""
    author, reader = new_token(client), new_token(client)
    comment_id = post(client, author, "vote on me")
    url = f"{API}/comments/{comment_id}/vote"
    voted = client.put(url, json={"value": 1}, headers=bearer(reader))
    own = client.put(url, json={"value": 1}, headers=bearer(author))
    assert (200, 1) == (voted.status_code, voted.get_json()["upvotes"])
    assert (403, "own_comment") == (own.status_code, own.get_json()["code"])
