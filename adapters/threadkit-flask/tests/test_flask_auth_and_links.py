from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from threadkit_flask import ThreadKit
from tkflask_support import create_app, form_token, new_comment, post_json

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.errors import AuthenticationRequiredError
from threadkit.identity import AnonymousProvider
from threadkit.models import Identity
from threadkit.ports import AuthorizationRequest


class FakeSSO:
    """A redirect provider that accepts ?code=ok&state=<the saved state>."""

    name = "sso"
    label = "Team SSO"
    kind: Literal["redirect"] = "redirect"

    def __init__(self) -> None:
        self.issued = 0

    def begin(self, redirect_uri: str) -> AuthorizationRequest:
        self.issued += 1
        state = f"state-{self.issued}"
        return AuthorizationRequest(
            f"https://sso.example/authorize?state={state}&redirect_uri={redirect_uri}",
            {"state": state, "verifier": "v"},
        )

    def complete(
        self, redirect_uri: str, params: Mapping[str, str], saved: Mapping[str, str]
    ) -> Identity:
        if params.get("state") != saved.get("state") or params.get("code") != "ok":
            raise AuthenticationRequiredError("bad_state", "Login failed; please try again.")
        return Identity(self.name, "u-7", "Grace SSO", email="grace@sso.example", verified=True)


@pytest.fixture
def sso_app(engine: CommentEngine) -> Flask:
    return create_app(engine, providers=[AnonymousProvider(), FakeSSO()])


def login(client: FlaskClient, next_url: str = "/posts/post-1") -> str:
    """Run the login dance; return where the callback sends the browser."""
    start = client.get("/comments/auth/sso/login", query_string={"next": next_url})
    assert 302 == start.status_code
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert ["http://localhost/comments/auth/sso/callback"] == query["redirect_uri"]
    back = client.get(
        "/comments/auth/sso/callback", query_string={"state": query["state"][0], "code": "ok"}
    )
    assert 303 == back.status_code
    location: str = back.headers["Location"]
    return location


def test_login_round_trip_identifies_the_reader(sso_app: Flask) -> None:
    """After the callback the reader comments as the provider's identity."""
    client = sso_app.test_client()
    assert "/posts/post-1#respond-tk1" == login(client, "/posts/post-1#respond-tk1")
    html = client.get("/posts/post-1").get_data(as_text=True)
    assert "You are commenting as <strong>Grace SSO</strong>" in html
    assert "Log out" in html
    data = new_comment(client, body="signed in")
    assert ("sso", True) == (data["author"]["provider"], data["author"]["verified"])


def test_login_choices_are_offered(sso_app: Flask) -> None:
    """The form offers "Log in with <label>" links carrying next."""
    html = sso_app.test_client().get("/posts/post-1").get_data(as_text=True)
    assert "Log in with Team SSO" in html
    assert "/comments/auth/sso/login?next=/posts/post-1%23respond-tk1" in html


def test_callback_values_are_single_use(sso_app: Flask) -> None:
    """A replayed callback finds no saved state and is refused (400)."""
    client = sso_app.test_client()
    start = client.get("/comments/auth/sso/login")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    params = {"state": state, "code": "ok"}
    assert 303 == client.get("/comments/auth/sso/callback", query_string=params).status_code
    assert 400 == client.get("/comments/auth/sso/callback", query_string=params).status_code


def test_callback_with_wrong_state_is_refused(sso_app: Flask) -> None:
    """A callback whose state does not match is 400 and logs nobody in."""
    client = sso_app.test_client()
    client.get("/comments/auth/sso/login")
    response = client.get("/comments/auth/sso/callback?state=forged&code=ok")
    assert 400 == response.status_code
    assert False is client.get("/comments/api/me").get_json()["logged_in"]


def test_login_next_is_validated(sso_app: Flask) -> None:
    """An off-site next is replaced by "/" after login."""
    assert "/" == login(sso_app.test_client(), "//evil.example/")


def test_unknown_provider_is_404(sso_app: Flask) -> None:
    """Login routes exist only for configured redirect providers."""
    client = sso_app.test_client()
    assert 404 == client.get("/comments/auth/nope/login").status_code
    assert 404 == client.get("/comments/auth/anonymous/login").status_code


def test_logout_form_forgets_the_login(sso_app: Flask) -> None:
    """POST /auth/logout with the CSRF token logs out and goes back."""
    client = sso_app.test_client()
    login(client)
    html = client.get("/posts/post-1").get_data(as_text=True)
    response = client.post(
        "/comments/auth/logout", data={"csrf_token": form_token(html), "next": "/posts/post-1"}
    )
    assert "/posts/post-1" == response.headers["Location"]
    assert False is client.get("/comments/api/me").get_json()["logged_in"]


def test_logout_needs_csrf(sso_app: Flask) -> None:
    """Logging out by a cross-site POST without the token is refused."""
    client = sso_app.test_client()
    login(client)
    assert 403 == client.post("/comments/auth/logout").status_code
    assert True is client.get("/comments/api/me").get_json()["logged_in"]


def test_session_cookie_is_httponly_lax_and_secure_over_https(app: Flask) -> None:
    """The session cookie is HttpOnly and SameSite=Lax, and Secure when served over https."""
    plain = app.test_client().get("/comments/api/me").headers["Set-Cookie"]
    assert "HttpOnly" in plain
    assert "SameSite=Lax" in plain
    assert "Secure" not in plain
    secure = app.test_client().get("/comments/api/me", base_url="https://localhost")
    assert "Secure" in secure.headers["Set-Cookie"]


def test_browser_id_lives_in_the_signed_session(client: FlaskClient, app: Flask) -> None:
    """A forged session cookie does not let another browser act as the author."""
    top = new_comment(client)
    thief = app.test_client()
    thief.set_cookie("session", "forged.cookie.value", domain="localhost")
    response = post_json(thief, f"/api/comments/{top['id']}", {"body": "stolen"}, "PATCH")
    assert response.status_code in (401, 403)


# ------------------------------------------------------------ moderation pages and links


def test_queue_page_shows_reasons_and_actions(client: FlaskClient, app: Flask) -> None:
    """The moderator's queue page lists held comments with why and decision buttons."""
    held = new_comment(client, body="HOLDME please")
    mod = app.test_client()
    mod.get("/login/mod")
    html = mod.get("/comments/moderation").get_data(as_text=True)
    assert "Contains a word to review." in html
    assert f'action="/comments/moderation/{held["id"]}"' in html
    for decision in ("approve", "spam", "delete"):
        assert f'name="decision" value="{decision}"' in html


def test_queue_page_approve_publishes(client: FlaskClient, app: Flask) -> None:
    """Approving from the queue page publishes the comment and returns to the queue."""
    held = new_comment(client, body="HOLDME please")
    mod = app.test_client()
    mod.get("/login/mod")
    html = mod.get("/comments/moderation").get_data(as_text=True)
    response = mod.post(
        f"/comments/moderation/{held['id']}",
        data={
            "csrf_token": form_token(html),
            "decision": "approve",
            "next": "/comments/moderation",
        },
    )
    assert "/comments/moderation" == response.headers["Location"]
    public = app.test_client().get("/comments/api/threads/post-1").get_json()
    assert [held["id"]] == [n["id"] for n in public["comments"]]


def test_queue_page_is_for_moderators_only(client: FlaskClient, app: Flask) -> None:
    """Readers get 401 (not logged in) or 403 (logged in, not a moderator)."""
    assert 401 == client.get("/comments/moderation").status_code
    client.get("/login/alice")
    assert 403 == client.get("/comments/moderation").status_code


def test_moderation_link_get_confirms_post_acts(client: FlaskClient, app: Flask) -> None:
    """A one-click link's GET changes nothing; its CSRF-protected POST approves."""
    held = new_comment(client, body="HOLDME please")
    with app.test_request_context():
        link = ThreadKit.moderation_link(held["id"], "approve", external=False)
    reader = app.test_client()
    confirm = reader.get(link)
    assert 200 == confirm.status_code
    assert "Approve this comment?" in confirm.get_data(as_text=True)
    assert (
        "pending" == app.extensions["threadkit"].engine.store.get_comment(held["id"]).status.value
    )
    assert 403 == reader.post(link).status_code
    done = reader.post(link, data={"csrf_token": form_token(confirm.get_data(as_text=True))})
    assert "The comment is now approved." in done.get_data(as_text=True)


def test_tampered_or_expired_moderation_link_is_refused(
    client: FlaskClient, app: Flask, clock: ManualClock
) -> None:
    """A changed token is 422 invalid_token; an old one is 422 expired_token."""
    held = new_comment(client, body="HOLDME please")
    with app.test_request_context():
        link = ThreadKit.moderation_link(held["id"], "approve", external=False)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert 422 == client.get(tampered).status_code
    clock.advance(days=8)
    response = client.get(link)
    assert 422 == response.status_code
    assert "expired" in response.get_data(as_text=True)


def test_unsubscribe_one_click_post(client: FlaskClient, app: Flask) -> None:
    """RFC 8058: a POST of List-Unsubscribe=One-Click, no CSRF token, turns notifications off."""
    top = new_comment(client, notify_replies=True)
    store = app.extensions["threadkit"].engine.store
    assert True is store.get_comment(top["id"]).notify_replies
    with app.test_request_context():
        link = ThreadKit.unsubscribe_link(top["id"], external=False)
    mail_client = app.test_client()
    assert 200 == mail_client.get(link).status_code
    assert True is store.get_comment(top["id"]).notify_replies
    response = mail_client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert 200 == response.status_code
    assert False is store.get_comment(top["id"]).notify_replies


def test_links_use_the_notify_adapters_format(app: Flask) -> None:
    """Links are <prefix>/moderate/<token> and <prefix>/unsubscribe/<token>."""
    with app.test_request_context():
        assert re.fullmatch(
            r"http://localhost/comments/moderate/[\w.-]+", ThreadKit.moderation_link(1, "spam")
        )
        assert re.fullmatch(
            r"http://localhost/comments/unsubscribe/[\w.-]+", ThreadKit.unsubscribe_link(1)
        )


def test_moderation_link_ttl_is_configurable(engine: CommentEngine, clock: ManualClock) -> None:
    """THREADKIT_MODERATE_LINK_TTL (seconds) bounds how long links work."""
    app = create_app(engine, config={"THREADKIT_MODERATE_LINK_TTL": 60})
    client = app.test_client()
    held = new_comment(client, body="HOLDME")
    with app.test_request_context():
        link = ThreadKit.moderation_link(held["id"], "approve", external=False)
    assert 200 == client.get(link).status_code
    clock.advance(seconds=61)
    assert 422 == client.get(link).status_code


def test_login_renews_the_csrf_token(sso_app: Flask) -> None:
    """A CSRF token known before the login cannot post as the logged-in reader."""
    client = sso_app.test_client()
    before = client.get("/comments/api/me").get_json()["csrf_token"]
    login(client)
    response = client.post(
        "/comments/api/threads/post-1/comments",
        json={"body": "forged"},
        headers={"X-Threadkit-CSRF": before},
    )
    assert 403 == response.status_code
    assert before != client.get("/comments/api/me").get_json()["csrf_token"]


class OtherSSO(FakeSSO):
    """A second redirect provider."""

    name = "other"
    label = "Other SSO"


def test_only_one_login_is_pending(engine: CommentEngine) -> None:
    """Starting a login with another provider forgets the first, keeping the cookie small."""
    app = create_app(engine, providers=[AnonymousProvider(), FakeSSO(), OtherSSO()])
    client = app.test_client()
    first = client.get("/comments/auth/sso/login?next=/a")
    client.get("/comments/auth/other/login?next=/b")
    with client.session_transaction() as session:
        assert ["threadkit_auth:other"] == [k for k in session if k.startswith("threadkit_auth:")]
    state = parse_qs(urlsplit(first.headers["Location"]).query)["state"][0]
    stale = client.get("/comments/auth/sso/callback", query_string={"state": state, "code": "ok"})
    assert 400 == stale.status_code
