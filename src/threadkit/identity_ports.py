"""The identity ports: how an adapter learns who is commenting.

Three kinds of provider, one per way a site knows its readers: a form
(:class:`FormIdentityProvider`), a redirect to a login service
(:class:`RedirectIdentityProvider`) and the host application's own session
(:class:`SessionIdentityProvider`). :mod:`threadkit.ports` re-exports them
with the other ports; ``threadkit.testing.identity_suite`` checks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Protocol, runtime_checkable

import attrs

from .models import Identity

__all__ = [
    "AuthorizationRequest",
    "FormIdentityProvider",
    "IdentityProvider",
    "RedirectIdentityProvider",
    "SessionIdentityProvider",
]


@attrs.frozen
class AuthorizationRequest:
    """Where to send the browser to log in, and what to remember until it returns.

    The web adapter stores ``saved`` in the browser's session and hands it back
    to :meth:`RedirectIdentityProvider.complete`; it holds ``state``, the PKCE
    verifier and the OIDC nonce.
    """

    url: str
    saved: Mapping[str, str]


@runtime_checkable
class FormIdentityProvider(Protocol):
    """Identifies a reader from fields they type into the comment form.

    Contract: ``identify`` validates the fields (raising ``ValidationError``
    with the field name) and returns an unverified :class:`Identity`.
    ``browser_id`` is a random value the web adapter keeps in a signed cookie,
    so the same browser can later edit its own comments. Example::

        class NameOnly:
            name = "anonymous"
            kind = "form"

            def identify(self, fields: Mapping[str, str], browser_id: str) -> Identity:
                name = fields.get("name", "").strip()
                if not name:
                    raise ValidationError("required", "Please give a name.", field="name")
                return Identity(self.name, browser_id, name)
    """

    name: str
    kind: Literal["form"]

    def identify(self, fields: Mapping[str, str], browser_id: str) -> Identity:
        """Return the identity these form fields describe."""
        ...


@runtime_checkable
class RedirectIdentityProvider(Protocol):
    """Identifies a reader by sending them to log in elsewhere (OAuth 2 / OIDC).

    Contract: ``begin`` returns the authorization URL and the values to keep
    in the session (state, PKCE verifier, nonce); ``complete`` receives the
    callback's query parameters and those values, checks state, exchanges the
    code, validates tokens, and returns a verified :class:`Identity` keyed by
    the issuer and subject. It raises ``AuthenticationRequiredError`` when the
    user declined or anything fails to check. Example::

        class TeamSSO:
            name, label, kind = "sso", "Company login", "redirect"

            def begin(self, redirect_uri: str) -> AuthorizationRequest:
                state = secrets.token_urlsafe(32)
                url = f"{SSO}/login?state={state}&cb={redirect_uri}"
                return AuthorizationRequest(url, {"state": state})

            def complete(self, redirect_uri, params, saved) -> Identity:
                if params.get("state") != saved.get("state"):
                    raise AuthenticationRequiredError("bad_state", "Login expired; try again.")
                user = sso_lookup(params["ticket"])
                return Identity(self.name, user.id, user.name, verified=True)
    """

    name: str
    label: str
    kind: Literal["redirect"]

    def begin(self, redirect_uri: str) -> AuthorizationRequest:
        """Start a login that will come back to ``redirect_uri``."""
        ...

    def complete(
        self, redirect_uri: str, params: Mapping[str, str], saved: Mapping[str, str]
    ) -> Identity:
        """Finish the login from the callback's ``params`` and the ``saved`` values."""
        ...


@runtime_checkable
class SessionIdentityProvider(Protocol):
    """Identifies a reader from the host application's own login session.

    Contract: ``current`` returns the logged-in user's identity, or ``None``
    when nobody is logged in; it must not raise for an anonymous request.
    ``request`` is whatever the web adapter passes (Flask: ``flask.request``).
    Example::

        class FlaskLoginUsers:
            name, kind = "site", "session"

            def current(self, request: object) -> Identity | None:
                user = flask_login.current_user
                if not user.is_authenticated:
                    return None
                return Identity(self.name, str(user.id), user.display_name, verified=True)
    """

    name: str
    kind: Literal["session"]

    def current(self, request: object) -> Identity | None:
        """Return the logged-in user's identity, or ``None``."""
        ...


IdentityProvider = FormIdentityProvider | RedirectIdentityProvider | SessionIdentityProvider
"""Any of the three kinds of identity provider."""
