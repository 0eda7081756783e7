"""Social logins on Django's session, logout, and bearer tokens for pages on other origins.

``auth/<name>/login`` and ``auth/<name>/callback`` run a login with one of the
redirect providers in ``THREADKIT["PROVIDERS"]`` (``threadkit-social``'s
Google, GitHub, OpenID Connect...); what they check (state, PKCE, nonce,
same-origin ``next``, the popup hand-off) is :mod:`threadkit_web.login`'s. The
saved values and the identity live in Django's session; a login renews the
session key and the CSRF token, as Django's own ``login()`` does. A logged-in
Django user still comments as themselves: ``request.user`` wins over a social
login kept in the same session (:mod:`threadkit_django.visitors`).

``POST auth/logout`` (the form's Log out button, Django's CSRF token in the
form) and ``POST api/logout`` (JSON, the token in ``THREADKIT_CSRF_HEADER``)
forget the social login and what the anonymous form remembered; neither ends a
Django user's session, which is ``django.contrib.auth.logout``'s job.
``POST api/session`` gives a page on an origin in ``THREADKIT_CORS_ORIGINS`` a
bearer token (:mod:`threadkit_web.bearer`).
"""

from __future__ import annotations

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token, rotate_token
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from threadkit_web import bearer as web_bearer
from threadkit_web import inputs
from threadkit_web import login as web_login
from threadkit_web.login import CallbackUri
from threadkit_web.problems import HTTPProblem

from threadkit.redirects import safe_next
from threadkit.serialization import encode_public, shapes

from . import bearer, visitors
from .origin import absolute
from .responses import html, json_response, threadkit_view
from .state import URL_NAMESPACE, get_state
from .views_json import _not_allowed as not_allowed
from .web import visit_of

__all__ = ["api_logout", "api_session", "callback", "login", "logout"]


def _callback_uri(request: HttpRequest) -> CallbackUri:
    """Build a provider's callback URL: on ``THREADKIT_BASE_URL``, else on a vetted host.

    Django checks the request's host against ``ALLOWED_HOSTS`` before any view
    runs; with a wildcard there, any client could choose the ``redirect_uri``
    a provider sends the code to, so the setting is then required.
    """

    def build(name: str) -> str:
        wildcard = "*" in django.conf.settings.ALLOWED_HOSTS
        if wildcard and not get_state().web.settings.base_url:
            raise HTTPProblem(
                500,
                "base_url_missing",
                "threadkit builds login callbacks on the site's address and ALLOWED_HOSTS "
                "accepts any host: set THREADKIT_BASE_URL (for example "
                "'https://blog.example.org').",
            )
        return absolute(request, reverse(f"{URL_NAMESPACE}:auth_callback", kwargs={"name": name}))

    return build


@threadkit_view(api=False)
@require_GET
def login(request: HttpRequest, name: str) -> HttpResponse:
    """Start a login with provider ``name`` and send the browser there (``?embed=``: a popup)."""
    visit = visit_of(request)
    url = web_login.start(
        get_state().web, request.session, visit.request, name, _callback_uri(request)
    )
    return HttpResponseRedirect(url)


@threadkit_view(api=False)
@require_GET
def callback(request: HttpRequest, name: str) -> HttpResponse:
    """Finish the login, remember who it was, and go back where the reader came from."""
    state, visit = get_state().web, visit_of(request)
    done = web_login.finish(state, request.session, visit.request, name, _callback_uri(request))
    if done.embed is not None:
        return html(web_login.handoff_page(state, visit, done.embed, done.identity))
    web_login.remember_login(state, request.session, done.identity)
    # As django.contrib.auth.login does: a new session key and CSRF token, so neither
    # one planted nor one seen before the login can act as the logged-in reader.
    request.session.cycle_key()
    rotate_token(request)
    return HttpResponseRedirect(done.next, status=303)


def _forget(request: HttpRequest) -> None:
    """Drop the social login, the remembered details and the CSRF token (not a Django login).

    With a bearer token there is nothing to drop here: the page forgets the token.
    """
    if bearer.has_bearer(request):
        return
    request.session.pop(web_login.LOGIN_KEY, None)
    request.session.pop(visitors.AUTHOR_KEY, None)
    rotate_token(request)


@threadkit_view(api=False, check="form")
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Forget the social login (a CSRF-checked form post) and go back to ``next``."""
    _forget(request)
    return HttpResponseRedirect(safe_next(request.POST.get("next", ""), "/"), status=303)


@threadkit_view(api=True, check="header")
def api_logout(request: HttpRequest) -> HttpResponse:
    """POST: forget the social login and remembered details; answer with a new CSRF token."""
    if request.method != "POST":
        return not_allowed("POST")
    _forget(request)
    token = "" if bearer.has_bearer(request) else get_token(request)
    return json_response(encode_public(shapes.LoggedOut(None, False, token)))


@threadkit_view(api=True)
def api_session(request: HttpRequest) -> HttpResponse:
    """POST: a bearer token for the calling page's origin (a new one, or a renewal).

    No CSRF token is asked for: the answer is a token bound to the calling
    page's origin, and nothing of Django's session is read or returned.
    """
    if request.method != "POST":
        return not_allowed("POST")
    state, visit = get_state().web, visit_of(request)
    wrapped = visit.request
    web_bearer.token_origin(state, wrapped)  # an unlisted page's 403 comes before the body
    if wrapped.body():  # an optional, empty JSON object: still checked like any other
        inputs.json_object(wrapped.body(), wrapped.mimetype, wrapped.mimetype_params)
    token, identity = web_bearer.grant(state, wrapped)
    return json_response(encode_public(web_bearer.session_answer(state, visit, token, identity)))
