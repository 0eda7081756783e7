"""App factory and helpers for the Flask adapter's tests (fixtures are in conftest.py).

``create_app`` builds a small host site: ``/posts/<slug>`` renders a page
that calls ``threadkit.thread(...)``, ``/`` lists posts with comment counts,
and ``/login/<user>`` logs a host-site user in (a session identity provider);
the user ``mod`` is a moderator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from flask import Flask, render_template_string, session
from flask.testing import FlaskClient
from threadkit_flask import ThreadKit

from threadkit.engine import CommentEngine
from threadkit.errors import AuthenticationRequiredError
from threadkit.identity import AnonymousProvider, CallableSessionProvider
from threadkit.models import Candidate, Identity, Verdict
from threadkit.ports import AuthorizationRequest, IdentityProvider
from threadkit.testing.api_steps import Answer, Request, Send

POST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
{{ threadkit.assets() }}</head>
<body><main><article><h1>{{ title }}</h1><p>Post body.</p></article>
{{ threadkit.thread(slug, title=title, url=request.path) }}</main></body></html>
"""

INDEX_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Blog</title></head>
<body><ul>{% set counts = threadkit.counts(slugs) %}{% for slug in slugs %}
<li><a href="/posts/{{ slug }}">{{ slug }}</a>: {{ counts[slug] }} thoughts</li>{% endfor %}
</ul></body></html>
"""


class HoldWords:
    """A moderation step that holds comments containing HOLDME and rate-limits FLOOD."""

    name = "test-words"

    def check(self, candidate: Candidate) -> Verdict:
        if "FLOOD" in candidate.body:
            return Verdict.reject(self.name, "flood", "Slow down.", retry_after=12.5)
        if "SPAMME" in candidate.body:
            return Verdict.spam(self.name, "spam_word", "Contains a spam word.")
        if "HOLDME" in candidate.body:
            return Verdict.hold(self.name, "held_word", "Contains a word to review.")
        return Verdict.accept()


class FakeSSO:
    """A redirect provider that accepts ?code=ok&state=<the saved state>.

    It logs in subject ``u-7`` with the display ``name`` and ``details``
    (``email``, ``url``) given.
    """

    name = "sso"
    label = "Team SSO"
    kind: Literal["redirect"] = "redirect"

    def __init__(self, display_name: str = "Grace SSO", **details: str) -> None:
        self.identity = Identity(self.name, "u-7", display_name, verified=True, **details)

    def begin(self, redirect_uri: str) -> AuthorizationRequest:
        return AuthorizationRequest(
            f"https://sso.example/authorize?state=s1&redirect_uri={redirect_uri}",
            {"state": "s1"},
        )

    def complete(
        self, redirect_uri: str, params: Mapping[str, str], saved: Mapping[str, str]
    ) -> Identity:
        if params.get("state") != saved.get("state") or params.get("code") != "ok":
            raise AuthenticationRequiredError("bad_state", "Login failed; please try again.")
        return self.identity


def site_user(request: object) -> Identity | None:
    """The host site's logged-in user, from the Flask session."""
    name = session.get("user")
    if not isinstance(name, str):
        return None
    return Identity("site", name, name.title(), email=f"{name}@example.org", verified=True)


def is_moderator(identity: Identity | None) -> bool:
    """The host's rule: the site user "mod" moderates."""
    return identity is not None and identity.key == "site:mod"


def create_app(
    engine: CommentEngine,
    *,
    providers: Sequence[IdentityProvider] | None = None,
    config: Mapping[str, Any] | None = None,
) -> Flask:
    """Build a host app with threadkit set up on it."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test secret", TESTING=True)
    # The tests post to threads no page rendered and build absolute links for the
    # test client's host: say so explicitly (test_flask_safe_defaults.py pins the
    # defaults, which refuse new keys and need a configured base URL).
    app.config.update(THREADKIT_THREAD_POLICY="any", THREADKIT_BASE_URL="http://localhost")
    app.config.update(config or {})
    chosen = (
        list(providers)
        if providers is not None
        else [
            CallableSessionProvider("site", site_user),
            AnonymousProvider(),
        ]
    )
    ThreadKit(app, engine=engine, providers=chosen, is_moderator=is_moderator)

    @app.get("/posts/<slug>")
    def post_page(slug: str) -> str:
        return render_template_string(POST_PAGE, slug=slug, title=f"Post {slug}")

    @app.get("/")
    def index() -> str:
        return render_template_string(INDEX_PAGE, slugs=["post-1", "post-2", "post-3"])

    @app.get("/login/<user>")
    def login(user: str) -> str:
        session["user"] = user
        return "ok"

    @app.get("/favicon.ico")
    def favicon() -> tuple[str, int]:
        return "", 204

    @app.get("/logout")
    def logout() -> str:
        session.pop("user", None)
        return "ok"

    return app


def csrf_token(client: FlaskClient, prefix: str = "/comments") -> str:
    """Fetch this client's CSRF token from the JSON API."""
    token = client.get(f"{prefix}/api/me").get_json()["csrf_token"]
    assert isinstance(token, str)
    return token


def api_headers(client: FlaskClient, prefix: str = "/comments") -> dict[str, str]:
    """Headers a JSON write needs: the CSRF token."""
    return {"X-Threadkit-CSRF": csrf_token(client, prefix)}


def post_json(client: FlaskClient, path: str, body: Mapping[str, Any], method: str = "POST") -> Any:
    """Send a JSON write with the CSRF header; return the response."""
    return client.open(
        f"/comments{path}", method=method, json=dict(body), headers=api_headers(client)
    )


def new_comment(
    client: FlaskClient, thread: str = "post-1", body: str = "Hello", **extra: Any
) -> dict[str, Any]:
    """Post a comment through the JSON API as an anonymous commenter; return its JSON."""
    data = {"body": body, "name": "Ada", **extra}
    response = post_json(client, f"/api/threads/{thread}/comments", data)
    assert 201 == response.status_code, response.get_data(as_text=True)
    result: dict[str, Any] = response.get_json()
    return result


def session_cookie(client: FlaskClient) -> str:
    """The client's session cookie (holds its CSRF secret) as it is now."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def form_idempotency_key(html: str) -> str:
    """The hidden idempotency key of a rendered comment form."""
    found = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert found is not None, "the comment form has no idempotency_key field"
    return found.group(1)


def form_token(html: str) -> str:
    """The CSRF token in a rendered form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def sender(client: FlaskClient) -> Send:
    """Wrap ``client`` for :mod:`threadkit.testing.api_steps` (a body goes as JSON)."""

    def send(sent: Request) -> Answer:
        body = None if sent.body is None else dict(sent.body)
        response = client.open(sent.path, method=sent.method, json=body, headers=dict(sent.headers))
        return Answer(response.status_code, response.get_json(silent=True), response)

    return send
