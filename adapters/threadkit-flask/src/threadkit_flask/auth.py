"""Login and logout routes for redirect (OAuth 2 / OpenID Connect) identity providers.

``GET <prefix>/auth/<name>/login?next=/blog/post-1`` starts a login with the
provider ``<name>``: the values it must remember (state, PKCE verifier,
nonce) go into the signed session and the browser goes to the provider.
``GET <prefix>/auth/<name>/callback`` is the one callback URL of that
provider (register it with them; it is built on ``THREADKIT_BASE_URL`` or
``SERVER_NAME``, never on the request's ``Host``); it pops the saved values
(single use), lets the provider check everything, remembers the identity and
goes back to ``next`` (same-origin only). ``POST <prefix>/auth/logout`` forgets it.

A login for a page on another origin runs in a popup:
``GET <prefix>/auth/<name>/login?embed=<page origin>``. The round trip stays
first-party on this server (state, PKCE and nonce work as usual); the
callback then remembers nothing in the session but renders a small page whose
static script posts ``{type: "threadkit:login", token, me}`` to
``window.opener`` at exactly that origin, and closes. Only an origin on
``THREADKIT_CORS_ORIGINS`` may ask; any other gets a 403 page naming the
setting to change.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, json, redirect, render_template, request, session
from werkzeug.wrappers import Response

from threadkit.errors import AuthenticationRequiredError, NotFoundError
from threadkit.models import Identity
from threadkit.ports import RedirectIdentityProvider
from threadkit.redirects import safe_next
from threadkit.serialization import to_public

from . import bearer, csrf, rendering, visitors
from .external import external_url_for
from .problems import HTTPProblem
from .state import get_state
from .views_json import session_token

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


def _embed_origin(raw: str) -> str:
    """Return the page origin a popup login hands its result to; 403 unless it is allowed."""
    state = get_state()
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


def login(name: str) -> Response:
    """Start a login with provider ``name`` and send the browser there.

    With ``?embed=<origin>`` (a popup opened by a page on that origin) the
    callback hands a bearer token to that page instead of logging this
    browser in.
    """
    provider = _provider(name)
    back = safe_next(request.args.get("next", ""), "/")
    embed = _embed_origin(request.args["embed"]) if "embed" in request.args else None
    try:
        started = provider.begin(_callback_uri(name))
    except AuthenticationRequiredError as error:
        raise _login_failed(error) from error
    # One login in flight per browser: starting another forgets the older one, so
    # pending logins (each with a next of up to 2 KB) never overflow the cookie.
    for key in [k for k in session if k.startswith(SAVED_PREFIX)]:
        session.pop(key, None)
    pending: dict[str, object] = {"saved": dict(started.saved), "next": back}
    if embed is not None:
        pending["embed"] = embed
    session[SAVED_PREFIX + name] = pending
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
    embed = pending.get("embed")
    if isinstance(embed, str):
        return _hand_off(_embed_origin(embed), identity)
    visitors.remember_login(identity)
    target = safe_next(str(pending.get("next", "")), "/")
    return redirect(target, code=303)


def _hand_off(origin: str, identity: Identity) -> Response:
    """Render the popup's last page: a token for ``origin``, posted to it by a static script."""
    state = get_state()
    token = bearer.issue_token(state, origin, identity=identity)
    answer = to_public(session_token(token, identity))
    page = render_template(
        "threadkit/login_handoff.html",
        tk=rendering.TemplateHelper(state),
        origin=origin,
        token=token,
        me=json.dumps(answer["me"]),
    )
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


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
