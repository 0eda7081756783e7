"""Who is asking: the reader's identity, browser id and moderator flag, per request.

Order of precedence: a session provider (the host app's own login) wins, then
an identity from a redirect login (social providers) kept in the signed
session, then the anonymous form identity (``<form provider>:<browser id>``),
so a browser that posted anonymously may edit and delete its own comments
within the edit window, and nobody else can.

A request with ``Authorization: Bearer <token>`` (a page on another origin, see
:mod:`threadkit_flask.bearer`) is the token's reader and nobody else: its login
identity or its anonymous browser id; the session is neither read nor written
(the page keeps the commenter's name / email / website itself).

What the session holds about a person (a redirect login's identity, the name /
email / website an anonymous commenter typed) is encrypted with the state's
:class:`~threadkit_web.sealing.Sealer`: the cookie is signed but readable, so
those values never sit in it in clear. The browser id and CSRF token are random.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping

from flask import request, session
from flask.sessions import SessionMixin
from threadkit_web import login as web_login
from threadkit_web.request import request_context as web_request_context

from threadkit.models import Actor, Identity, RequestContext

from . import bearer, csrf
from .state import get_state
from .web import current_request, flask_request, flask_session

__all__ = [
    "AUTHOR_KEY",
    "BROWSER_KEY",
    "LOGIN_KEY",
    "actor",
    "browser_id",
    "current_identity",
    "forget_login",
    "is_moderator",
    "remember_author",
    "remember_login",
    "remembered_author",
    "request_context",
]

BROWSER_KEY = "threadkit_browser"
"""Session key of the random browser id."""

LOGIN_KEY = web_login.LOGIN_KEY
"""Session key of the identity a redirect login vouched for (encrypted)."""

AUTHOR_KEY = "threadkit_author"
"""Session key of the name / email / website an anonymous commenter last typed (encrypted)."""

_CACHE_KEY = "threadkit.identity"
_AUTHOR_CACHE_KEY = "threadkit.author"


def browser_id(*, create: bool = False) -> str | None:
    """Return this browser's random id, creating it (in the signed session) if asked."""
    claims = bearer.bearer_claims()
    if claims is not None:
        return claims.browser
    current = flask_session()
    value = current.get(BROWSER_KEY)
    if isinstance(value, str) and value:
        return value
    if not create:
        return None
    value = _first_browser_id(current)
    current[BROWSER_KEY] = value
    return value


def _first_browser_id(current: SessionMixin) -> str:
    """Return a new browser id: derived from the session's CSRF token when it has one.

    A first post whose answer (and the cookie naming its new author) was lost
    is retried with the cookie from before: the same token gives the same id,
    so the retry is the same author and its idempotency key and the duplicate
    check still apply. The hash does not reveal the token.
    """
    token = current.get(csrf.SESSION_KEY)
    if not isinstance(token, str) or not token:
        return secrets.token_urlsafe(18)
    digest = hashlib.sha256(f"threadkit browser id\0{token}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def remember_login(identity: Identity) -> None:
    """Keep a redirect login's identity in the session (a new login replaces the old).

    The CSRF token is renewed too, so a token known before the login (planted
    with a cookie, say) cannot act as the logged-in reader.
    """
    web_login.remember_login(get_state(), session, identity)
    # A new login gets a new CSRF token: one planted or seen before it is worthless.
    session.pop(csrf.SESSION_KEY, None)
    request.environ.pop(_CACHE_KEY, None)


def forget_login() -> None:
    """Log out: drop the redirect login, the remembered details and the CSRF token.

    With a bearer token there is nothing to drop here: the page forgets the token.
    """
    if bearer.has_bearer():
        return
    session.pop(LOGIN_KEY, None)
    session.pop(AUTHOR_KEY, None)
    session.pop(csrf.SESSION_KEY, None)
    request.environ.pop(_CACHE_KEY, None)
    request.environ.pop(_AUTHOR_CACHE_KEY, None)


def remember_author(fields: Mapping[str, str]) -> None:
    """Remember what an anonymous commenter typed, to fill the form in next time.

    The details are encrypted in the session, and only written when they
    changed: an unchanged session is not sealed and signed again and sends no
    new cookie (a regular's every post).
    """
    if bearer.has_bearer():
        return  # the page on the other origin remembers them itself
    value = {key: fields.get(key, "") for key in ("name", "email", "url") if fields.get(key)}
    if remembered_author() != value:
        flask_session()[AUTHOR_KEY] = get_state().sealer.seal(value)
        flask_request().environ[_AUTHOR_CACHE_KEY] = dict(value)


def remembered_author() -> dict[str, str]:
    """Return the name / email / website this browser last typed, for the form's initial values."""
    # Opened once per request: a page with several threads asks more than once.
    environ = flask_request().environ
    cached: dict[str, str] | None = environ.get(_AUTHOR_CACHE_KEY)
    if cached is None and bearer.has_bearer():
        cached = {}
    if cached is None:
        sealed = flask_session().get(AUTHOR_KEY)
        # Nothing kept is nothing to open (a first-time commenter).
        value = None if sealed is None else get_state().sealer.open(sealed)
        cached = (
            {str(k): v for k, v in value.items() if isinstance(v, str)}
            if isinstance(value, Mapping)
            else {}
        )
        environ[_AUTHOR_CACHE_KEY] = cached
    return dict(cached)


def logged_in_identity() -> Identity | None:
    """Return the identity from the host's login or a redirect login; ``None`` if neither."""
    # Cached per request (not on ``g``: an app context can outlive one request).
    real = flask_request()
    environ = real.environ
    if _CACHE_KEY in environ:
        cached: Identity | None = environ[_CACHE_KEY]
        return cached
    claims = bearer.bearer_claims()
    if claims is not None:
        return claims.identity
    state = get_state()
    found: Identity | None = None
    for provider in state.session_providers():
        found = provider.current(real)
        if found is not None:
            break
    if found is None:
        found = web_login.remembered_login(state, flask_session())
    environ[_CACHE_KEY] = found
    return found


def anonymous_identity(*, create: bool = False) -> Identity | None:
    """Return the anonymous identity of this browser (its comments' author key), if it has one."""
    forms = get_state().form_providers()
    if not forms:
        return None
    bid = browser_id(create=create)
    if bid is None:
        return None
    return Identity(forms[0].name, bid, remembered_author().get("name", ""))


def current_identity(*, create: bool = False) -> Identity | None:
    """Return the identity the reader acts as: logged in, else anonymous by browser id."""
    return logged_in_identity() or anonymous_identity(create=create)


def is_moderator() -> bool:
    """Return whether the reader is a moderator (only a logged-in identity can be one)."""
    return bool(get_state().is_moderator(logged_in_identity()))


def actor(*, create: bool = False) -> Actor:
    """Return the :class:`~threadkit.models.Actor` for this request, moderator flag included."""
    return Actor(identity=current_identity(create=create), moderator=is_moderator())


def request_context() -> RequestContext:
    """Return what the request says about the submitter, for the moderation pipeline."""
    return web_request_context(current_request())
