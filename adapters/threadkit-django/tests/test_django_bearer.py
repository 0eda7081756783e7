"""Bearer tokens on Django for pages on other origins, CORS, and the popup login's hand-off."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django_api import sender
from social_support import (
    OIDC_NAME,
    PREFIX,
    browser,
    callback,
    login_url,
    social_site,
)
from threadkit_django import get_state
from threadkit_social.testing_server import IdentityServer

from threadkit.testing import api_steps
from threadkit.testing.api_steps import anonymous_session

pytestmark = pytest.mark.django_db

SITE = "https://static.example"
"""A page on another origin that is on THREADKIT_CORS_ORIGINS."""

API = f"{PREFIX}/api"


@pytest.fixture
def idp() -> Iterator[IdentityServer]:
    """The authorization server, and a site that lets pages on SITE use its comments."""
    with social_site(THREADKIT_CORS_ORIGINS=[SITE]) as server:
        yield server


@pytest.fixture
def client(idp: IdentityServer) -> Client:
    return browser()


def new_token(client: Client, origin: str = SITE) -> str:
    """Ask for an anonymous token as a page on ``origin``."""
    return api_steps.new_token(sender(client), API, origin)


def bearer(token: str, origin: str = SITE) -> dict[str, str]:
    return api_steps.bearer(token, origin)


def post(client: Client, token: str, body: str) -> Any:
    """Post ``body`` to thread ``hello`` with ``token`` (no cookie, no CSRF token)."""
    return client.post(
        f"{API}/threads/hello/comments",
        {"body": body, "name": "Ada"},
        content_type="application/json",
        headers=bearer(token),
    )


def test_session_from_an_allowed_origin_gives_a_token_and_no_cookie(client: Client) -> None:
    """POST /api/session answers a token, an anonymous reader, CORS headers and no cookie."""
    session, me = (answer.raw for answer in anonymous_session(sender(client), API, SITE))
    assert (SITE, "true") == (
        session["Access-Control-Allow-Origin"],
        session["Access-Control-Allow-Credentials"],
    )
    assert "Origin" in session["Vary"]
    assert {} == dict(session.cookies)
    assert ("", {}) == (me.json()["csrf_token"], dict(me.cookies))


def test_an_unlisted_origin_gets_403_naming_the_setting(client: Client) -> None:
    """A page on another origin asking for a token is told which setting lists the origins."""
    answer = client.post(f"{API}/session", headers={"Origin": "https://evil.example"})
    body = answer.json()
    assert (403, "origin_not_allowed") == (answer.status_code, body["code"])
    assert "THREADKIT_CORS_ORIGINS" in body["detail"]
    assert "Access-Control-Allow-Origin" not in answer


def test_the_api_refuses_pages_on_unlisted_origins(client: Client) -> None:
    """With THREADKIT_CORS_ORIGINS set, any API call from an unlisted page is a 403 problem."""
    answer = client.get(f"{API}/me", headers={"Origin": "https://evil.example"})
    own = client.get(f"{API}/me", headers={"Origin": "http://testserver"})
    assert (403, "origin_not_allowed", 200) == (
        answer.status_code,
        answer.json()["code"],
        own.status_code,
    )


def test_a_preflight_from_an_allowed_origin_is_answered(client: Client) -> None:
    """OPTIONS from SITE gets 204 with the methods and headers a bearer post sends."""
    answer = client.options(
        f"{API}/threads/hello/comments",
        headers={"Origin": SITE, "Access-Control-Request-Method": "POST"},
    )
    assert (204, SITE) == (answer.status_code, answer["Access-Control-Allow-Origin"])
    assert "Authorization" in answer["Access-Control-Allow-Headers"]
    assert "X-Threadkit-CSRF" in answer["Access-Control-Allow-Headers"]


def test_a_post_with_the_bearer_needs_no_csrf_and_sets_no_cookie(client: Client) -> None:
    """An anonymous token posts and edits its comment without a cookie or a CSRF token."""
    token = new_token(client)
    made = post(client, token, "From a static page")
    assert (201, {}) == (made.status_code, dict(made.cookies)), made.content
    edited = client.patch(
        f"{API}/comments/{made.json()['id']}",
        {"body": "Edited from the static page"},
        content_type="application/json",
        headers=bearer(token),
    )
    other = client.patch(
        f"{API}/comments/{made.json()['id']}",
        {"body": "Not mine"},
        content_type="application/json",
        headers=bearer(new_token(client)),
    )
    assert (200, 403) == (edited.status_code, other.status_code)


@pytest.mark.parametrize("damage", ["flip", "other-origin", "garbage"])
def test_a_bad_token_is_a_401(client: Client, damage: str) -> None:
    """A tampered token, one used from another origin, or garbage is a 401 problem."""
    token = new_token(client)
    headers = {
        "flip": bearer(token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")),
        "other-origin": bearer(token, "http://testserver"),
        "garbage": bearer("not-a-token"),
    }[damage]
    answer = client.get(f"{API}/me", headers=headers)
    assert (401, "invalid_bearer_token") == (answer.status_code, answer.json()["code"])


def test_a_bearer_beside_a_session_cookie_still_needs_csrf(client: Client) -> None:
    """A cookie rides along with any request: with one, the CSRF header is asked for again."""
    client.get("/posts/hello/")
    client.session.save()
    client.cookies["sessionid"] = client.session.session_key or ""
    answer = post(client, new_token(client), "With a cookie too")
    assert (403, "csrf_failed") == (answer.status_code, answer.json()["code"])


def _handoff(page: str) -> dict[str, str]:
    found = re.search(r'id="threadkit-handoff"([^>]*)>', page)
    assert found is not None, page[:500]
    return {k: html.unescape(v) for k, v in re.findall(r'(data-tk-[a-z]+)="([^"]*)"', found[1])}


def test_popup_login_hands_a_token_to_the_exact_origin(idp: IdentityServer, client: Client) -> None:
    """A login with ?embed=SITE ends on a page handing SITE a token that posts as Ada."""
    params = idp.login(login_url(client, OIDC_NAME, None, embed=SITE))
    page = callback(client, OIDC_NAME, params)
    data = _handoff(page.content.decode())
    assert (200, SITE) == (page.status_code, data["data-tk-origin"])
    assert "Ada Lovelace" == json.loads(data["data-tk-me"])["identity"]["name"]
    # The page on SITE sends the token, never this server's cookie.
    made = post(browser(), data["data-tk-token"], "Logged in through the popup")
    assert 201 == made.status_code, made.content
    author = get_state().engine.get_comment(made.json()["id"]).author
    assert (OIDC_NAME, f"{idp.issuer}#248289761001", True) == (
        author.provider,
        author.subject,
        author.verified,
    )
    assert False is client.get(f"{API}/me").json()["logged_in"]  # this browser: not logged in


def test_popup_login_refuses_an_unlisted_origin(client: Client) -> None:
    """?embed= with an origin not on THREADKIT_CORS_ORIGINS is a 403 page naming the setting."""
    answer = client.get(f"{PREFIX}/auth/{OIDC_NAME}/login", {"embed": "https://evil.example"})
    assert (403, True) == (answer.status_code, "THREADKIT_CORS_ORIGINS" in answer.content.decode())


def test_logout_with_a_token_touches_no_session(client: Client) -> None:
    """POST /api/logout with a token only answers: the page forgets its token itself."""
    answer = client.post(f"{API}/logout", headers=bearer(new_token(client)))
    assert (200, "", {}) == (answer.status_code, answer.json()["csrf_token"], dict(answer.cookies))
