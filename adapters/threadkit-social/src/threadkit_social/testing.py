"""What every web adapter's social-login tests send and expect, written once.

A social login behaves the same on Flask and Django: the login route redirects
to the provider with state, S256 PKCE and a nonce; "Log in with ..." on the
comment form goes to the provider and back to the comment box. The steps and
checks are here; an adapter's test brings its framework's client or the
Playwright page it already has (never imported here), and the
:class:`~threadkit_social.testing_server.IdentityServer` the logins go to.
Needs pytest (imported by tests only).

>>> s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
"""

from __future__ import annotations

import base64
import hashlib
import socket
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import pytest

from threadkit.ports import RedirectIdentityProvider
from threadkit.testing.identity_suite import LoginHarness, RedirectProviderSuite

from .oidc import OIDCProvider
from .testing_server import CLIENT_ID, CLIENT_SECRET, IdentityServer

__all__ = [
    "AVATAR",
    "IdentityServerProviderSuite",
    "check_authorize_redirect",
    "free_port_url",
    "log_in_from_the_form",
    "oidc_at",
    "s256",
    "serve_avatars",
]

AVATAR = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
    '<circle cx="20" cy="20" r="20" fill="#6a5acd"/></svg>'
)
"""The picture served for the provider's avatar URL (``https://avatars.example/ada.png``)."""


def free_port_url() -> str:
    """Return a base URL on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def oidc_at(
    issuer_url: str, *, name: str | None = None, label: str | None = None, timeout: float = 5
) -> OIDCProvider:
    """Return an OIDC provider whose issuer is ``issuer_url``, with the test server's client.

    For a provider that is down (:func:`free_port_url`) or hung as much as
    for a working :class:`IdentityServer` (its ``base_url``).
    """
    return OIDCProvider(
        discovery_url=f"{issuer_url}/.well-known/openid-configuration",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        name=name,
        label=label,
        timeout=timeout,
    )


def s256(verifier: str) -> str:
    """Return PKCE's S256 transform of ``verifier`` (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_authorize_redirect(
    url: str, saved: Mapping[str, str], *, idp: IdentityServer, redirect_uri: str
) -> None:
    """Check an OIDC login's redirect to ``idp``: state, S256 PKCE and nonce as ``saved``.

    ``saved`` is what the login route kept in the session (``state``,
    ``code_verifier``, ``nonce``); the verifier itself never leaves it.
    """
    params = dict(parse_qsl(urlsplit(url).query))
    assert f"{idp.base_url}/authorize" == url.split("?")[0]
    assert {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": saved["state"],
        "code_challenge": s256(saved["code_verifier"]),
        "code_challenge_method": "S256",
        "nonce": saved["nonce"],
    } == params
    assert 43 <= len(params["state"])
    assert saved["code_verifier"] not in url


def serve_avatars(context: Any) -> None:
    """Answer the provider's picture URLs in a Playwright browser ``context`` with :data:`AVATAR`.

    The avatar host is offline in tests; a plain circle stands in its place.
    """
    context.route(
        "https://avatars.example/**",
        lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=AVATAR),
    )


def log_in_from_the_form(
    page: Any, *, site: str, post_page: str, idp: IdentityServer, name: str, label: str
) -> None:
    """From ``post_page``, log in with provider ``name`` ("Log in with ``label``"), and check.

    The browser goes to the login route, the provider, the callback, and back
    to the comment box (``#respond-tk1``) of ``post_page`` on ``site``, where
    the form says who is commenting.
    """
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url.split("?")[0]))
    page.locator("[data-tk-respond]").get_by_role("link", name=f"Log in with {label}").click()
    page.wait_for_url(f"{post_page}#respond-tk1")
    assert [
        f"{site}/comments/auth/{name}/login",
        f"{idp.base_url}/authorize",
        f"{site}/comments/auth/{name}/callback",
        post_page,
    ] == [url for url in visited if "/static/" not in url and "/avatars/" not in url]
    said = " ".join(page.locator(".tk-logged-in").inner_text().split())
    assert f"You are commenting as Ada Lovelace ({label}). Log out" == said


class IdentityServerProviderSuite(RedirectProviderSuite):
    """The redirect-provider suite for providers that log in at a running :class:`IdentityServer`.

    A subclass gives the ``provider`` fixture, an ``idp`` fixture (the server)
    and :attr:`callback_base`, the URL the callbacks hang under.
    """

    callback_base: ClassVar[str]
    """The site's callback URLs are ``<callback_base>/<provider name>/callback``."""

    @pytest.fixture
    def redirect_uri(self, provider: RedirectIdentityProvider) -> str:
        """Return the callback URL of ``provider`` on the site."""
        return f"{self.callback_base}/{provider.name}/callback"

    @pytest.fixture
    def login(self, idp: IdentityServer) -> LoginHarness:
        """Return the server's own login harness: it consents at once."""
        return idp.login
