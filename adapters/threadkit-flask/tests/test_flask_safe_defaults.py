"""Issue #11, "safe by default": what a plain ``ThreadKit(app, store=...)`` does unasked.

Each test pins one default (moderation, security headers, absolute URLs from
configuration, which threads take comments, no personal data in the session
cookie) and, where there is one, the documented way to turn it off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, render_template_string
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from threadkit_flask import ThreadKit, get_state
from tkflask_support import POST_PAGE, FakeSSO, api_headers, form_token

from threadkit.engine import CommentEngine
from threadkit.identity import AnonymousProvider
from threadkit.memory import MemoryStore
from threadkit.moderation import (
    DuplicateDetection,
    FloodControl,
    Honeypot,
    LinkLimit,
    Pipeline,
    SizeLimits,
)

SITE = "https://blog.example.org"
EVIL = "evil.example"


#: Team SSO logging in Grace Hopper, with her email and home page.
GRACE_SSO = FakeSSO("Grace Hopper", email="grace@sso.example", url="https://grace.example/home")


def plain_app(config: Mapping[str, Any] | None = None, **init: Any) -> Flask:
    """A host app with only the documented minimum: a secret, a store, one post page."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test secret", TESTING=True)
    app.config.update(config or {})
    init.setdefault("store", MemoryStore())
    ThreadKit(app, **init)

    @app.get("/posts/<slug>")
    def post_page(slug: str) -> str:
        return render_template_string(POST_PAGE, slug=slug, title=f"Post {slug}")

    @app.get("/about")
    def about() -> str:
        return "<!doctype html><title>About</title><p>No comments here."

    return app


def post_api(client: FlaskClient, key: str, body: str = "Hello", **extra: Any) -> Any:
    """Post through the JSON API as an anonymous commenter."""
    return client.post(
        f"/comments/api/threads/{key}/comments",
        json={"body": body, "name": "Ada", **extra},
        headers=api_headers(client),
    )


def meta_token(html: str) -> str:
    """The signed thread token a rendered thread's form carries."""
    found = re.search(r'name="thread_meta" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def session_data(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """The session as anyone holding the cookie can read it (signed, not encrypted)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    data: dict[str, Any] = serializer.loads(cookie.value)
    return data


# ------------------------------------------------------------------ moderation


def test_store_only_setup_runs_the_default_pipeline() -> None:
    """ThreadKit(app, store=...) moderates with size limits, honeypot, flood, duplicates, links."""
    app = plain_app()
    running = {type(step) for step in get_state(app).engine.pipeline.steps}
    expected = {SizeLimits, Honeypot, FloodControl, DuplicateDetection, LinkLimit}
    assert expected == expected & running  # default_pipeline may gain more steps


def test_store_only_setup_rejects_a_flood() -> None:
    """A second post right after the first is refused (429) with no pipeline argument."""
    app = plain_app()
    get_state(app).engine.thread("post-1", title="Post 1", url="/posts/post-1")
    client = app.test_client()
    assert 201 == post_api(client, "post-1", "First").status_code
    second = post_api(client, "post-1", "Second")
    assert (429, "too_fast") == (second.status_code, second.get_json()["code"])
    assert "Retry-After" in second.headers


def test_an_empty_pipeline_is_an_explicit_choice() -> None:
    """An engine with no moderation steps is refused unless THREADKIT_ALLOW_EMPTY_PIPELINE."""
    with pytest.raises(RuntimeError, match="THREADKIT_ALLOW_EMPTY_PIPELINE"):
        plain_app(engine=CommentEngine(MemoryStore()))
    with pytest.raises(RuntimeError, match="default_pipeline"):
        plain_app(store=MemoryStore(), pipeline=Pipeline())
    app = plain_app(
        {"THREADKIT_ALLOW_EMPTY_PIPELINE": True},
        store=None,
        pipeline=Pipeline(),
        engine=CommentEngine(MemoryStore()),
    )
    assert () == get_state(app).engine.pipeline.steps


# -------------------------------------------------------------- security headers


def _assert_protected(response: Any, what: str) -> None:
    assert "nosniff" == response.headers.get("X-Content-Type-Options"), what
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp, what
    assert "unsafe-inline" not in csp, what
    assert "frame-ancestors 'self'" in csp, what


def test_security_headers_on_threadkit_pages_and_host_pages_with_a_thread() -> None:
    """Every threadkit page and every host page that renders a thread gets CSP and nosniff."""
    app = plain_app({"THREADKIT_THREAD_POLICY": "any", "THREADKIT_BASE_URL": SITE})
    client = app.test_client()
    comment_id = post_api(client, "post-1").get_json()["id"]
    _assert_protected(client.get("/posts/post-1"), "host page with a thread")
    for path in (
        f"/comments/comments/{comment_id}",
        f"/comments/fragments/comments/{comment_id}",
        "/comments/fragments/threads/post-1",
        "/comments/moderation",
        "/comments/moderate/not-a-token",
        "/comments/unsubscribe/not-a-token",
        "/comments/feeds/recent.atom",
        "/comments/api/threads/post-1",
        "/comments/api/me",
        "/comments/api/nothing-here",
        "/comments/static/threadkit.js",
        "/comments/no-such-page",
    ):
        response = client.get(path)
        _assert_protected(response, path)
        response.close()


def test_host_pages_without_a_thread_are_left_alone() -> None:
    """A host page that renders no thread keeps its own headers (unless the app opts in)."""
    client = plain_app().test_client()
    assert "Content-Security-Policy" not in client.get("/about").headers
    everywhere = plain_app({"THREADKIT_APP_SECURITY_HEADERS": True}).test_client()
    _assert_protected(everywhere.get("/about"), "host page, app-wide headers")


def test_embed_security_headers_can_be_turned_off() -> None:
    """THREADKIT_EMBED_SECURITY_HEADERS = False leaves host pages with a thread alone."""
    client = plain_app({"THREADKIT_EMBED_SECURITY_HEADERS": False}).test_client()
    page = client.get("/posts/post-1")
    assert 200 == page.status_code
    assert "Content-Security-Policy" not in page.headers
    assert "X-Content-Type-Options" not in page.headers


def test_a_host_page_keeps_its_own_policy() -> None:
    """A CSP the host set itself is never replaced."""
    app = plain_app()

    @app.get("/own")
    def own() -> Any:
        body = render_template_string("{{ threadkit.thread('post-1', title='T', url='/own') }}")
        return body, 200, {"Content-Security-Policy": "default-src 'none'"}

    assert "default-src 'none'" == app.test_client().get("/own").headers["Content-Security-Policy"]


# ------------------------------------------------------------------ absolute URLs


def _sso_app(config: Mapping[str, Any]) -> Flask:
    return plain_app(config, providers=[AnonymousProvider(), GRACE_SSO])


def _login_redirect_uri(client: FlaskClient, host: str) -> str:
    start = client.get(
        "/comments/auth/sso/login", query_string={"next": "/posts/post-1"}, headers={"Host": host}
    )
    assert 302 == start.status_code, start.get_data(as_text=True)
    (redirect_uri,) = parse_qs(urlsplit(start.headers["Location"]).query)["redirect_uri"]
    return redirect_uri


def test_spoofed_host_never_reaches_the_oauth_redirect_uri() -> None:
    """The login's redirect_uri is built on THREADKIT_BASE_URL whatever Host the request says."""
    client = _sso_app({"THREADKIT_BASE_URL": SITE}).test_client()
    assert f"{SITE}/comments/auth/sso/callback" == _login_redirect_uri(client, EVIL)


def test_server_name_is_the_fallback_base_url() -> None:
    """Without THREADKIT_BASE_URL, SERVER_NAME and PREFERRED_URL_SCHEME make the origin."""
    app = _sso_app({"SERVER_NAME": "blog.example.org", "PREFERRED_URL_SCHEME": "https"})
    client = app.test_client()
    redirect_uri = _login_redirect_uri(client, "blog.example.org")
    assert f"{SITE}/comments/auth/sso/callback" == redirect_uri


def test_without_a_base_url_absolute_links_are_refused_with_the_setting_to_change() -> None:
    """No base URL configured: login answers a problem naming THREADKIT_BASE_URL, no redirect."""
    client = _sso_app({}).test_client()
    response = client.get("/comments/auth/sso/login", headers={"Host": EVIL})
    assert 500 == response.status_code
    assert "THREADKIT_BASE_URL" in response.get_data(as_text=True)
    assert "Location" not in response.headers


def test_spoofed_host_never_reaches_a_feed() -> None:
    """Feed ids, self and entry links use the base URL; the public feed is the same for any Host."""
    app = plain_app({"THREADKIT_BASE_URL": SITE, "THREADKIT_THREAD_POLICY": "any"})
    client = app.test_client()
    post_api(client, "post-1")
    get_state(app).engine.thread("post-1", title="Post 1", url="/posts/post-1")
    stranger = app.test_client()
    for path in ("/comments/feeds/recent.atom", "/comments/feeds/threads/post-1.atom"):
        # The commenter (with a session cookie) on the real host, a stranger on a forged one.
        honest = client.get(path, headers={"Host": "blog.example.org"})
        spoofed = stranger.get(path, headers={"Host": EVIL, "Accept-Language": "de"})
        assert "public, max-age=60" == spoofed.headers["Cache-Control"]
        assert EVIL not in spoofed.get_data(as_text=True)
        assert f"{SITE}/comments/feeds/" in spoofed.get_data(as_text=True)
        # Nothing in it depends on a request header, so a shared cache needs no Vary.
        assert honest.get_data() == spoofed.get_data()
        assert "Set-Cookie" not in spoofed.headers


def test_spoofed_host_never_reaches_emailed_links() -> None:
    """Moderation and unsubscribe links built during a request use the base URL."""
    app = plain_app({"THREADKIT_BASE_URL": SITE})
    with app.test_request_context("/", headers={"Host": EVIL}):
        moderate = ThreadKit.moderation_link(1, "approve")
        unsubscribe = ThreadKit.unsubscribe_link(1)
    assert moderate.startswith(f"{SITE}/comments/moderate/")
    assert unsubscribe.startswith(f"{SITE}/comments/unsubscribe/")
    with app.app_context():  # a background job: no request at all
        assert ThreadKit.unsubscribe_link(1).startswith(f"{SITE}/comments/unsubscribe/")


def test_base_url_must_be_an_origin() -> None:
    """A base URL with a path (or no scheme) is a configuration error that says what to write."""
    with pytest.raises(ValueError, match="THREADKIT_BASE_URL"):
        plain_app({"THREADKIT_BASE_URL": "https://blog.example.org/comments"})
    with pytest.raises(ValueError, match="THREADKIT_BASE_URL"):
        plain_app({"THREADKIT_BASE_URL": "blog.example.org"})


# ------------------------------------------------------------------ thread policy


def test_a_post_to_an_arbitrary_new_key_is_refused_by_default() -> None:
    """No page rendered it and nobody created it: 404 naming the setting, nothing stored."""
    app = plain_app()
    client = app.test_client()
    response = post_api(client, "made-up-key")
    body = response.get_json()
    assert (404, "thread_not_found") == (response.status_code, body["code"])
    assert "THREADKIT_THREAD_POLICY" in body["detail"]
    assert get_state(app).engine.store.get_thread("made-up-key") is None


def test_a_form_post_to_an_arbitrary_key_is_refused_with_a_page() -> None:
    """The no-JavaScript form gets the same refusal as an HTML page that keeps the text."""
    app = plain_app()
    client = app.test_client()
    token = form_token(client.get("/posts/post-1").get_data(as_text=True))
    response = client.post(
        "/comments/threads/other-key/comments",
        data={"csrf_token": token, "body": "typed text", "name": "Ada"},
    )
    assert 404 == response.status_code
    assert "THREADKIT_THREAD_POLICY" in response.get_data(as_text=True)
    assert get_state(app).engine.store.get_thread("other-key") is None


def test_a_thread_a_page_rendered_takes_its_first_comment() -> None:
    """The form of a rendered thread carries a signed token that lets it be created."""
    app = plain_app()
    client = app.test_client()
    html = client.get("/posts/post-1").get_data(as_text=True)
    response = client.post(
        "/comments/threads/post-1/comments",
        data={
            "csrf_token": form_token(html),
            "thread_meta": meta_token(html),
            "body": "First!",
            "name": "Ada",
        },
    )
    assert 303 == response.status_code
    thread = get_state(app).engine.store.get_thread("post-1")
    assert thread is not None
    assert ("Post post-1", "/posts/post-1", 1) == (thread.title, thread.url, thread.comment_count)


def test_a_rendered_token_opens_only_its_own_thread() -> None:
    """The token signed for one key does not let a post create another."""
    client = plain_app().test_client()
    token = meta_token(client.get("/posts/post-1").get_data(as_text=True))
    assert 404 == post_api(client, "post-2", thread_meta=token).status_code
    assert 201 == post_api(client, "post-1", thread_meta=token).status_code


def test_a_thread_created_by_the_host_takes_comments() -> None:
    """engine.thread(key, ...) creates a thread that takes posts without any token."""
    app = plain_app()
    get_state(app).engine.thread("made-by-host", title="Hello", url="/hello")
    assert 201 == post_api(app.test_client(), "made-by-host").status_code


def test_existing_policy_refuses_threads_only_rendered() -> None:
    """THREADKIT_THREAD_POLICY = "existing": a page's token is not enough, engine.thread is."""
    app = plain_app({"THREADKIT_THREAD_POLICY": "existing"})
    client = app.test_client()
    token = meta_token(client.get("/posts/post-1").get_data(as_text=True))
    assert 404 == post_api(client, "post-1", thread_meta=token).status_code
    get_state(app).engine.thread("post-1")
    assert 201 == post_api(client, "post-1", thread_meta=token).status_code


def test_a_callable_policy_decides_every_post() -> None:
    """A callable THREADKIT_THREAD_POLICY is asked about each key, existing or not."""
    asked: list[str] = []

    def only_posts(key: str) -> bool:
        asked.append(key)
        return key.startswith("post-")

    app = plain_app({"THREADKIT_THREAD_POLICY": only_posts})
    get_state(app).engine.thread("about")
    client = app.test_client()
    assert 201 == post_api(client, "post-9").status_code
    assert 404 == post_api(client, "about", "Another").status_code
    assert ["post-9", "about"] == asked


def test_any_policy_is_the_explicit_old_behaviour() -> None:
    """THREADKIT_THREAD_POLICY = "any" lets the first comment create any well-formed key."""
    client = plain_app({"THREADKIT_THREAD_POLICY": "any"}).test_client()
    assert 201 == post_api(client, "whatever").status_code


def test_an_unknown_policy_is_a_clear_configuration_error() -> None:
    """A misspelt policy fails at init_app and lists the valid ones."""
    with pytest.raises(ValueError, match="'rendered', 'existing', 'any'"):
        plain_app({"THREADKIT_THREAD_POLICY": "renderd"})


# ------------------------------------------------------------------ session cookie


def test_session_cookie_holds_no_commenter_details_in_clear() -> None:
    """After an anonymous post, the readable cookie has no name, email or website."""
    app = plain_app({"THREADKIT_THREAD_POLICY": "any"})
    client = app.test_client()
    response = post_api(
        client, "post-1", name="Ada Lovelace", email="ada@example.org", url="https://ada.example"
    )
    assert 201 == response.status_code
    readable = json.dumps(session_data(app, client))
    for personal in ("Ada Lovelace", "ada@example.org", "ada.example"):
        assert personal not in readable
    # Still remembered for the next form, from the encrypted value.
    page = client.get("/posts/post-1").get_data(as_text=True)
    assert 'value="ada@example.org"' in page
    assert 'value="Ada Lovelace"' in page


def test_session_cookie_holds_no_login_details_in_clear() -> None:
    """After a social login, the readable cookie has no name, email or website of the reader."""
    app = _sso_app({"THREADKIT_BASE_URL": SITE, "THREADKIT_THREAD_POLICY": "any"})
    client = app.test_client()
    client.get("/comments/auth/sso/login")
    back = client.get("/comments/auth/sso/callback", query_string={"state": "s1", "code": "ok"})
    assert 303 == back.status_code
    readable = json.dumps(session_data(app, client))
    for personal in ("Grace Hopper", "grace@sso.example", "grace.example"):
        assert personal not in readable
    me = client.get("/comments/api/me").get_json()
    assert "Grace Hopper" == me["identity"]["name"]


def test_a_sealed_session_value_survives_secret_rotation() -> None:
    """With the old key in SECRET_KEY_FALLBACKS, a reader's remembered details still open."""
    store = MemoryStore()
    old = plain_app({"THREADKIT_THREAD_POLICY": "any"}, store=store)
    client = old.test_client()
    post_api(client, "post-1", name="Ada Lovelace", email="ada@example.org")
    cookie = client.get_cookie(old.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    new = plain_app(
        {"SECRET_KEY": "new secret", "SECRET_KEY_FALLBACKS": ["test secret"]}, store=store
    )
    fresh = new.test_client()
    fresh.set_cookie(new.config["SESSION_COOKIE_NAME"], cookie.value)
    assert 'value="ada@example.org"' in fresh.get("/posts/post-1").get_data(as_text=True)
