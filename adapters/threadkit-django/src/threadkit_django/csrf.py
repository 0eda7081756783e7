"""Django's own CSRF protection on every threadkit write.

threadkit's forms carry the token in a ``csrf_token`` field and its JavaScript
sends it in the ``X-Threadkit-CSRF`` header (``THREADKIT["CSRF_HEADER"]``): the
same markup and script serve every adapter. The views are exempt from the
global middleware and run Django's ``CsrfViewMiddleware`` themselves, with the
token moved to where Django looks for it, so Django's whole check (the token
against the CSRF cookie or session, and the Origin / Referer rules on HTTPS)
decides, and a refusal is threadkit's 403 problem with a message that says
what to do. A JSON write that authenticates with a bearer token and carries no
session cookie (a page on another origin, :mod:`threadkit_django.bearer`) needs
no token: a browser never adds that header by itself.
"""

from __future__ import annotations

# The module, not its lazy `settings` object: doctest tools probe module globals.
import django.conf
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from threadkit.errors import PermissionDeniedError

from . import bearer

__all__ = ["FIELD", "check"]

FIELD = "csrf_token"
"""The hidden form field that carries the token (the shared templates name it so)."""

_MIDDLEWARE = CsrfViewMiddleware(lambda request: HttpResponse())


def check(request: HttpRequest, *, header: str, form: bool) -> None:
    """Raise a 403 ``csrf_failed`` error unless Django's CSRF check passes.

    ``form``: the token is in the posted ``csrf_token`` field; otherwise in ``header``
    (a bearer-token request without a session cookie passes; a bad token is a 401).
    """
    if not form and bearer.uses_bearer_only(request):
        return
    token = request.POST.get(FIELD, "") if form else request.headers.get(header, "")
    request.META[django.conf.settings.CSRF_HEADER_NAME] = token or ""
    refused = _MIDDLEWARE.process_view(request, lambda r: HttpResponse(), (), {})
    if refused is not None:
        raise PermissionDeniedError(
            "csrf_failed",
            "This form has expired or did not come from this site; reload the page and try "
            "again.",
            field=FIELD,
        )
