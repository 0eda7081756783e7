"""Social logins through the Django adapter against the real test authorization server.

``configured(idp)`` is the ``THREADKIT`` dict of a site whose comment form offers
"Log in with Test IdP" (OpenID Connect), "Log in with GitHub" and the guest form;
``login_url``, ``callback`` and ``log_in`` play one login's steps with Django's
test client while the trip to the provider goes over HTTP to
:class:`~threadkit_social.testing_server.IdentityServer` on 127.0.0.1.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.test import Client, override_settings
from threadkit_django import reset_state
from threadkit_social.testing_server import IdentityServer

PREFIX = "/comments"
"""Where the test project includes threadkit's URLs."""

OIDC_NAME = "testidp"
"""Name (and callback path segment) of the OpenID Connect provider."""

POST = "/posts/hello/"
"""A page of the test project with a comment section."""


def configured(idp: IdentityServer, **extra: Any) -> dict[str, Any]:
    """Return ``THREADKIT`` with the OIDC and GitHub providers (objects) and the guest form."""
    return {
        "STORE": "threadkit.memory:MemoryStore",
        "ENGINE": "tkdjango_site.engines:plain",
        "PROVIDERS": [
            idp.provider("oidc", name=OIDC_NAME, label="Test IdP"),
            idp.provider("github"),
            "threadkit.identity:AnonymousProvider",
        ],
        **extra,
    }


_server: list[IdentityServer] = []


def _shared_server() -> IdentityServer:
    """Start the authorization server on first use; it stops when the test process ends."""
    if not _server:
        _server.append(IdentityServer().start())
        atexit.register(_server[0].stop)
    return _server[0]


@contextmanager
def social_site(**settings: Any) -> Iterator[IdentityServer]:
    """Configure the project with the server's logins (switches reset) and ``settings``.

    Posts go to any key, as in the Flask social tests: a JSON post need not render
    its page first (``THREADKIT_THREAD_POLICY``).
    """
    server = _shared_server()
    server.reset()
    reset_state()
    with override_settings(THREADKIT=configured(server), THREADKIT_THREAD_POLICY="any", **settings):
        yield server
    reset_state()


def browser() -> Client:
    """Return a test client that enforces Django's CSRF checks, as a real browser meets them."""
    return Client(enforce_csrf_checks=True)


def query(url: str) -> dict[str, str]:
    """Return the query parameters of ``url``."""
    return dict(parse_qsl(urlsplit(url).query))


def login_url(client: Client, name: str, next_url: str | None = POST, **extra: str) -> str:
    """Start a login at ``<prefix>/auth/<name>/login``; return the authorize URL it sends to."""
    params = {**({} if next_url is None else {"next": next_url}), **extra}
    response = client.get(f"{PREFIX}/auth/{name}/login", params)
    assert 302 == response.status_code, response.content[:500]
    return str(response["Location"])


def callback(client: Client, name: str, params: Mapping[str, str]) -> Any:
    """Bring the browser back to ``<prefix>/auth/<name>/callback`` with ``params``."""
    return client.get(f"{PREFIX}/auth/{name}/callback", dict(params))


def log_in(client: Client, idp: IdentityServer, name: str, next_url: str | None = POST) -> Any:
    """Run a whole login (the consent screen approves); return the callback's response."""
    return callback(client, name, idp.login(login_url(client, name, next_url)))


def me(client: Client, **headers: str) -> dict[str, Any]:
    """Return ``<prefix>/api/me``: who this browser is."""
    body: dict[str, Any] = client.get(f"{PREFIX}/api/me", headers=headers).json()
    return body
