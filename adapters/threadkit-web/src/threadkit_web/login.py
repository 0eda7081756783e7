"""Logins with redirect (OAuth 2 / OpenID Connect) identity providers, for any web framework.

``GET <prefix>/auth/<name>/login?next=/blog/post-1`` starts a login with the
provider ``<name>`` (:func:`start`): the values it must remember (state, PKCE
verifier, nonce) go into the reader's session and the browser goes to the
provider. ``GET <prefix>/auth/<name>/callback`` is that provider's one callback
URL (:func:`finish`): it pops the saved values (single use), lets the provider
check everything (state, PKCE, nonce, issuer), and says who logged in and where
to go back to (``next``, same-origin only, else ``/``). The adapter then
remembers the identity (:func:`remember_login`, sealed in the session), renews
its CSRF token, and redirects.

A login for a page on another origin runs in a popup:
``GET <prefix>/auth/<name>/login?embed=<page origin>``. The round trip stays
first-party (state, PKCE and nonce work as usual); the callback then remembers
nothing in the session but renders :func:`handoff_page`, whose static script
posts ``{type: "threadkit:login", token, me}`` to ``window.opener`` at exactly
that origin, and closes. Only an origin on ``THREADKIT_CORS_ORIGINS`` may ask;
any other gets a 403 page naming the setting to change.

The adapter hands in its session (:class:`~threadkit_web.request.Session`), its
request (:class:`~threadkit_web.request.WebRequest`) and a function that builds
the callback's absolute URL from the provider's name: from configuration, never
from the request's ``Host``, which a client can spoof into the ``redirect_uri``
a provider sends the authorization code to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from threadkit.errors import AuthenticationRequiredError, NotFoundError
from threadkit.models import Identity
from threadkit.ports import RedirectIdentityProvider
from threadkit.redirects import safe_next
from threadkit.serialization import encode_public

from . import bearer
from .context import TemplateHelper
from .identities import identity_from_dict, identity_to_dict
from .problems import HTTPProblem
from .request import Session, Visit, WebRequest
from .state import WebState

__all__ = [
    "LOGIN_KEY",
    "SAVED_PREFIX",
    "Finished",
    "finish",
    "handoff_page",
    "remember_login",
    "remembered_login",
    "start",
]

SAVED_PREFIX = "threadkit_auth:"
"""Session key prefix under which a login in progress keeps its saved values."""

LOGIN_KEY = "threadkit_login"
"""Session key of the identity a redirect login vouched for (sealed)."""

CallbackUri = Callable[[str], str]
"""Builds the absolute callback URL of the provider of that name."""

# A failed login is not an HTTP authentication challenge (there is no
# WWW-Authenticate scheme to offer), and a provider outage is not the reader's
# fault: say so with the status.
_LOGIN_FAILURE_STATUS = {"provider_unavailable": 503, "access_denied": 403}


@attrs.frozen
class Finished:
    """A login the provider vouched for: who, and where the browser goes next.

    ``embed`` is the page origin a popup login hands a token to (then
    nothing is remembered in the session), else ``None``.
    """

    identity: Identity
    next: str
    embed: str | None = None


def _provider(state: WebState, name: str) -> RedirectIdentityProvider:
    provider = state.providers.get(name)
    if provider is None or provider.kind != "redirect":
        raise NotFoundError("unknown_provider", "There is no such login provider.", field="name")
    return provider


def _login_failed(error: AuthenticationRequiredError) -> HTTPProblem:
    status = _LOGIN_FAILURE_STATUS.get(error.code, 400)
    return HTTPProblem(status, error.code, error.message, field=error.field)


def _embed_origin(state: WebState, raw: str) -> str:
    """Return the page origin a popup login hands its result to; 403 unless it is allowed."""
    origin = raw.rstrip("/")
    if origin not in state.settings.cors_origins:
        raise HTTPProblem(
            403,
            "origin_not_allowed",
            f"Logins for pages on {origin or 'that origin'} are not allowed here: add the "
            f"page's origin to {state.settings.origin_setting}.",
            field="Origin",
        )
    return origin


def start(
    state: WebState, session: Session, request: WebRequest, name: str, callback: CallbackUri
) -> str:
    """Start a login with provider ``name``; return the provider's URL to redirect to.

    With ``?embed=<origin>`` (a popup opened by a page on that origin) the
    callback hands a bearer token to that page instead of logging this
    browser in.
    """
    provider = _provider(state, name)
    back = safe_next(request.arg("next") or "", "/")
    raw_embed = request.arg("embed")
    embed = _embed_origin(state, raw_embed) if raw_embed is not None else None
    try:
        started = provider.begin(callback(name))
    except AuthenticationRequiredError as error:
        raise _login_failed(error) from error
    # One login in flight per browser: starting another forgets the older one, so
    # pending logins (each with a next of up to 2 KB) never overflow a cookie session.
    for other in state.redirect_providers():
        session.pop(SAVED_PREFIX + other.name, None)
    pending: dict[str, object] = {"saved": dict(started.saved), "next": back}
    if embed is not None:
        pending["embed"] = embed
    session[SAVED_PREFIX + name] = pending
    return started.url


def finish(
    state: WebState, session: Session, request: WebRequest, name: str, callback: CallbackUri
) -> Finished:
    """Check the provider's answer at the callback; return who logged in and where to go.

    The saved values are popped first, so a callback works once, refused or not.
    """
    provider = _provider(state, name)
    pending = session.pop(SAVED_PREFIX + name, None)
    if not isinstance(pending, Mapping) or not isinstance(pending.get("saved"), Mapping):
        raise HTTPProblem(
            400,
            "login_expired",
            "This login has expired or was already used; please log in again.",
        )
    saved = {str(k): str(v) for k, v in pending["saved"].items()}
    params: dict[str, str] = {}
    for key, value in request.arg_items():
        params.setdefault(key, value)  # the first of repeated parameters, as Flask's args
    try:
        identity = provider.complete(callback(name), params, saved)
    except AuthenticationRequiredError as error:
        raise _login_failed(error) from error
    if identity.provider != provider.name:
        raise HTTPProblem(
            400,
            "wrong_provider",
            "The login provider returned an identity of another provider.",
        )
    embed = pending.get("embed")
    if isinstance(embed, str):
        return Finished(identity, "/", _embed_origin(state, embed))
    return Finished(identity, safe_next(str(pending.get("next", "")), "/"))


def remember_login(state: WebState, session: Session, identity: Identity) -> None:
    """Keep a redirect login's identity in the session, sealed (a new login replaces the old).

    The adapter renews the session's CSRF token too: one planted or seen
    before the login must not act as the logged-in reader.
    """
    session[LOGIN_KEY] = state.sealer.seal(identity_to_dict(identity))


def remembered_login(state: WebState, session: Session) -> Identity | None:
    """Return the redirect login kept in the session; ``None`` if none, tampered or unconfigured."""
    return identity_from_dict(state.sealer.open(session.get(LOGIN_KEY)), state.providers)


def handoff_page(state: WebState, visit: Visit, origin: str, identity: Identity) -> str:
    """Render the popup's last page: a token for ``origin``, posted to it by a static script."""
    token = bearer.issue_token(state, origin, identity=identity)
    me = bearer.session_answer(state, visit, token, identity).me
    return visit.render(
        "threadkit/login_handoff.html",
        tk=TemplateHelper(state, visit),
        origin=origin,
        token=token,
        me=encode_public(me).decode("utf-8"),
    )
