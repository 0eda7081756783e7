"""Helpers for the social-login tests through the Flask adapter (fixtures live in the tests).

``create_site`` builds a small blog: ``/posts/<slug>`` renders a post with a
threadkit thread whose comment form offers "Log in with Test IdP" (an OpenID
Connect provider), "Log in with GitHub" and the guest form. ``login_url``,
``authorize`` and ``callback`` play one login's steps with a Flask test client
against the real :class:`~threadkit_social.testing_server.IdentityServer`.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, render_template_string
from flask.testing import FlaskClient
from threadkit_flask import ThreadKit
from threadkit_social import GitHubProvider
from threadkit_social.testing_server import CLIENT_ID, CLIENT_SECRET, IdentityServer
from werkzeug.test import TestResponse

from threadkit.engine import CommentEngine
from threadkit.identity import AnonymousProvider
from threadkit.models import Identity
from threadkit.ports import IdentityProvider
from threadkit.testing.html_forms import hidden_fields as hidden_fields

PREFIX = "/comments"
"""Where the test site mounts threadkit (the default ``THREADKIT_URL_PREFIX``)."""

OIDC_NAME = "testidp"
"""Name (and callback path segment) of the OpenID Connect provider."""

OIDC_LABEL = "Test IdP"
"""What the comment form calls it: "Log in with Test IdP"."""

POST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
{{ threadkit.assets() }}</head>
<body><main><article><h1>{{ title }}</h1><p>Post body.</p></article>
{{ threadkit.thread(slug, title=title, url=request.path) }}</main></body></html>
"""


def social_providers(idp: IdentityServer, **options: Any) -> list[IdentityProvider]:
    """Return the OIDC provider and the GitHub provider, both pointed at ``idp``."""
    return [
        idp.provider("oidc", name=OIDC_NAME, label=OIDC_LABEL, **options),
        idp.provider("github", **options),
    ]


def create_site(
    engine: CommentEngine,
    providers: Sequence[IdentityProvider],
    *,
    config: Mapping[str, Any] | None = None,
) -> Flask:
    """Build a blog whose comment form offers the given logins and the guest form."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="social login test secret", TESTING=True)
    # Explicit where threadkit's defaults are stricter than these tests need: callbacks
    # on the test client's host, posts to any key, engines without moderation steps.
    app.config.update(
        THREADKIT_BASE_URL="http://localhost",
        THREADKIT_THREAD_POLICY="any",
        THREADKIT_ALLOW_EMPTY_PIPELINE=True,
    )
    app.config.update(config or {})
    ThreadKit(app, engine=engine, providers=[*providers, AnonymousProvider()])

    @app.get("/posts/<slug>")
    def post_page(slug: str) -> str:
        return render_template_string(POST_PAGE, slug=slug, title=f"Post {slug}")

    @app.get("/favicon.ico")
    def favicon() -> tuple[str, int]:
        return "", 204

    return app


def query(url: str) -> dict[str, str]:
    """Return the query parameters of ``url``."""
    return dict(parse_qsl(urlsplit(url).query))


def login_url(client: FlaskClient, name: str, next_url: str | None = "/posts/1") -> str:
    """Start a login at ``<prefix>/auth/<name>/login``; return the authorize URL it sends to."""
    params = {} if next_url is None else {"next": next_url}
    response = client.get(f"{PREFIX}/auth/{name}/login", query_string=params)
    assert 302 == response.status_code, response.get_data(as_text=True)
    location: str = response.headers["Location"]
    return location


def authorize(idp: IdentityServer, url: str) -> dict[str, str]:
    """Let the identity server's consent screen answer; return the callback's parameters."""
    return idp.login(url)


def callback(client: FlaskClient, name: str, params: Mapping[str, str]) -> TestResponse:
    """Bring the browser back to ``<prefix>/auth/<name>/callback`` with ``params``."""
    return client.get(f"{PREFIX}/auth/{name}/callback", query_string=dict(params))


def log_in(
    client: FlaskClient, idp: IdentityServer, name: str, next_url: str | None = "/posts/1"
) -> TestResponse:
    """Run a whole login; return the callback's response."""
    return callback(client, name, authorize(idp, login_url(client, name, next_url)))


def me(client: FlaskClient) -> dict[str, Any]:
    """Return ``<prefix>/api/me``: who this browser is."""
    body: dict[str, Any] = client.get(f"{PREFIX}/api/me").get_json()
    return body


def ada_by_oidc(provider: str, idp: IdentityServer) -> Identity:
    """The identity an OIDC login of the test IdP's default user (Ada) maps to.

    Keyed by issuer and subject; name, verified email and picture carried over.
    """
    return Identity(
        provider=provider,
        subject=f"{idp.issuer}#248289761001",
        name="Ada Lovelace",
        email="ada@example.org",
        url=None,
        avatar="https://avatars.example/ada.png",
        verified=True,
    )


def github_at(base_url: str) -> GitHubProvider:
    """A GitHub provider whose every endpoint is at ``base_url`` (5 s timeout)."""
    return GitHubProvider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authorize_url=f"{base_url}/authorize",
        token_url=f"{base_url}/token",
        api_url=base_url,
        timeout=5,
    )


@contextmanager
def silent_server() -> Iterator[str]:
    """Listen on 127.0.0.1 but never answer (a hung provider); yield its base URL."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


class HungServer:
    """Accept connections on 127.0.0.1 and never answer, until :meth:`release` closes them.

    A login queued behind another one's hung request would only connect after
    that one gave up. So with a client timeout longer than ``within``,
    ``wait_for(n)`` proves ``n`` requests were in flight together, whatever the
    machine's load (no clock is compared with a duration).
    """

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._held: list[socket.socket] = []
        self._changed = threading.Condition()
        self._released = False
        self._thread = threading.Thread(target=self._accept, name="hung-server", daemon=True)

    @property
    def base_url(self) -> str:
        """The server's ``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._released:
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:  # release() closed the listener
                return
            with self._changed:
                if self._released:
                    connection.close()
                    continue
                self._held.append(connection)
                self._changed.notify_all()

    def wait_for(self, count: int, within: float = 30.0) -> bool:
        """Wait until ``count`` connections are held at once (False if ``within`` ran out)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._held) >= count, timeout=within)

    def release(self) -> None:
        """Close every held connection (the clients see the server hang up); refuse new ones."""
        with self._changed:
            self._released = True
            for connection in self._held:
                connection.close()
            self._held.clear()
            self._listener.close()

    def __enter__(self) -> HungServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
        self._thread.join()
