"""Login and logout routes for redirect (OAuth 2 / OpenID Connect) identity providers.

``GET <prefix>/auth/<name>/login?next=/blog/post-1`` starts a login with the
provider ``<name>``; ``GET <prefix>/auth/<name>/callback`` is the one callback
URL of that provider (register it with them; it is built on
``THREADKIT_BASE_URL`` or ``SERVER_NAME``, never on the request's ``Host``);
``POST <prefix>/auth/logout`` forgets the login. What a login checks (state,
PKCE, nonce, same-origin ``next``, the popup hand-off to a page on another
origin with ``?embed=<origin>``) is :mod:`threadkit_web.login`'s; this module
keeps the values in Flask's signed session and answers with Flask responses.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, session
from threadkit_web import login as web_login
from werkzeug.wrappers import Response

from threadkit.redirects import safe_next

from . import csrf, visitors
from .external import external_url_for
from .rendering import FlaskVisit
from .state import get_state
from .web import current_request

__all__ = ["SAVED_PREFIX", "register"]

SAVED_PREFIX = web_login.SAVED_PREFIX
"""Session key prefix under which a login in progress keeps its saved values."""


def _callback_uri(name: str) -> str:
    return external_url_for(f"{get_state().blueprint_name}.auth_callback", name=name)


def login(name: str) -> Response:
    """Start a login with provider ``name`` and send the browser there (``?embed=``: a popup)."""
    url = web_login.start(get_state(), session, current_request(), name, _callback_uri)
    response = redirect(url, code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


def callback(name: str) -> Response:
    """Finish the login, remember who it was, and go back where the reader came from."""
    state = get_state()
    done = web_login.finish(state, session, current_request(), name, _callback_uri)
    if done.embed is not None:
        page = web_login.handoff_page(state, FlaskVisit(state), done.embed, done.identity)
        response = Response(page, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response
    visitors.remember_login(done.identity)
    return redirect(done.next, code=303)


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
