"""Login and logout routes for redirect (OAuth 2 / OpenID Connect) identity providers.

``GET <prefix>/auth/<name>/login?next=/blog/post-1`` starts a login with the
provider ``<name>``: the values it must remember (state, PKCE verifier,
nonce) go into the signed session and the browser goes to the provider.
``GET <prefix>/auth/<name>/callback`` is the one callback URL of that
provider (register it with them; it is built on ``THREADKIT_BASE_URL`` or
``SERVER_NAME``, never on the request's ``Host``); it pops the saved values
(single use), lets the provider check everything, remembers the identity and
goes back to ``next`` (same-origin only). ``POST <prefix>/auth/logout`` forgets it.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, redirect, request, session
from werkzeug.wrappers import Response

from threadkit.errors import AuthenticationRequiredError, NotFoundError
from threadkit.ports import RedirectIdentityProvider
from threadkit.redirects import safe_next

from . import csrf, visitors
from .external import external_url_for
from .problems import HTTPProblem
from .state import get_state

__all__ = ["SAVED_PREFIX", "register"]

SAVED_PREFIX = "threadkit_auth:"
"""Session key prefix under which a login in progress keeps its saved values."""


def _provider(name: str) -> RedirectIdentityProvider:
    provider = get_state().providers.get(name)
    if provider is None or provider.kind != "redirect":
        raise NotFoundError("unknown_provider", "There is no such login provider.", field="name")
    return provider


def _callback_uri(name: str) -> str:
    # From configuration, never the Host header: a spoofed host must not become the
    # redirect_uri a provider sends the authorization code to.
    return external_url_for(f"{get_state().blueprint_name}.auth_callback", name=name)


# A failed login is not an HTTP authentication challenge (there is no
# WWW-Authenticate scheme to offer), and a provider outage is not the reader's
# fault: say so with the status.
_LOGIN_FAILURE_STATUS = {"provider_unavailable": 503, "access_denied": 403}


def _login_failed(error: AuthenticationRequiredError) -> HTTPProblem:
    status = _LOGIN_FAILURE_STATUS.get(error.code, 400)
    return HTTPProblem(status, error.code, error.message, field=error.field)


def login(name: str) -> Response:
    """Start a login with provider ``name`` and send the browser there."""
    provider = _provider(name)
    back = safe_next(request.args.get("next", ""), "/")
    try:
        started = provider.begin(_callback_uri(name))
    except AuthenticationRequiredError as error:
        raise _login_failed(error) from error
    # One login in flight per browser: starting another forgets the older one, so
    # pending logins (each with a next of up to 2 KB) never overflow the cookie.
    for key in [k for k in session if k.startswith(SAVED_PREFIX)]:
        session.pop(key, None)
    session[SAVED_PREFIX + name] = {"saved": dict(started.saved), "next": back}
    response = redirect(started.url, code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


def callback(name: str) -> Response:
    """Finish the login, remember who it was, and go back where the reader came from."""
    provider = _provider(name)
    pending = session.pop(SAVED_PREFIX + name, None)
    if not isinstance(pending, Mapping) or not isinstance(pending.get("saved"), Mapping):
        raise HTTPProblem(
            400,
            "login_expired",
            "This login has expired or was already used; please log in again.",
        )
    saved = {str(k): str(v) for k, v in pending["saved"].items()}
    params = {key: value for key, value in request.args.items()}
    try:
        identity = provider.complete(_callback_uri(name), params, saved)
    except AuthenticationRequiredError as error:
        raise _login_failed(error) from error
    if identity.provider != provider.name:
        raise HTTPProblem(
            400,
            "wrong_provider",
            "The login provider returned an identity of another provider.",
        )
    visitors.remember_login(identity)
    target = safe_next(str(pending.get("next", "")), "/")
    return redirect(target, code=303)


def logout() -> Response:
    """Forget the reader's login (CSRF-protected form post) and go back."""
    csrf.check_form()
    visitors.forget_login()
    return redirect(safe_next(request.form.get("next", ""), "/"), code=303)


def register(bp: Blueprint) -> None:
    """Add the login routes to ``bp``."""
    bp.add_url_rule("/auth/<name>/login", "auth_login", login, methods=["GET"])
    bp.add_url_rule("/auth/<name>/callback", "auth_callback", callback, methods=["GET"])
    bp.add_url_rule("/auth/logout", "auth_logout", logout, methods=["POST"])
