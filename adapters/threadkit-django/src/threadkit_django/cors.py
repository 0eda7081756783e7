"""CORS for the JSON API: pages on the origins in ``THREADKIT_CORS_ORIGINS`` may call it.

With that setting, an API request (a path under ``<prefix>/api/``) from a page
on any other origin but the site's own is a 403 ``origin_not_allowed`` naming
the setting; a preflight (``OPTIONS``) from an allowed origin is answered here,
and every API answer to an allowed origin carries the headers that let it read
the answer. The rules are :mod:`threadkit_web.cors`'s, as on Flask.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from threadkit_web import cors

from .state import get_state
from .web import visit_of

__all__ = ["add_headers", "before"]


def _is_api(request: HttpRequest) -> bool:
    settings = get_state().web.settings
    return bool(settings.cors_origins) and request.path.startswith(settings.url_prefix + "/api/")


def before(request: HttpRequest) -> HttpResponse | None:
    """Refuse a page on an origin not allowed (403); answer a preflight; else ``None``."""
    if not _is_api(request):
        return None
    settings = get_state().web.settings
    own = {request.build_absolute_uri("/").rstrip("/"), settings.base_url or ""}
    cors.check_origin(
        visit_of(request).request, settings.cors_origins, own, settings.origin_setting
    )
    if request.method == "OPTIONS":
        return HttpResponse(status=204)
    return None


def add_headers(request: HttpRequest, response: HttpResponse) -> None:
    """Let an allowed origin read ``response`` (an API answer, a problem or a preflight)."""
    if not _is_api(request):
        return
    settings = get_state().web.settings
    patch_vary_headers(response, ["Origin"])
    found = cors.cors_headers(
        visit_of(request).request, settings.cors_origins, settings.csrf_header
    )
    for name, value in found.items():
        response[name] = value
