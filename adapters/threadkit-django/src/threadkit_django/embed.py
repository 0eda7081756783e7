"""``embed.js``, ``embed.css`` and ``embed/i18n`` under the adapter's URLs, for other sites.

A page anywhere (a static site, another app) shows a thread of this Django site
with ``<script src="https://blog.example/comments/embed.js" data-thread="post-42"
async>``: the script finds the API beside itself. The files, headers and catalog
are :mod:`threadkit_web.embed`'s, the same as threadkit-server's; this module
only makes Django responses. Which pages may call the API is
``THREADKIT_CORS_ORIGINS`` (see docs/django.md, "The embed on a Django site").
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from threadkit_web import embed

__all__ = ["embed_css", "embed_i18n", "embed_js"]


def _response(answer: embed.EmbedAnswer) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status)
    del response["Content-Type"]  # set from the answer, or absent on a 304
    for name, value in answer.headers.items():
        response[name] = value
    return response


def _serve(request: HttpRequest, name: str) -> HttpResponse:
    try:
        answer = embed.file_answer(name, request.headers.get("If-None-Match"))
    except FileNotFoundError:
        raise Http404(f"This site has no {name}: reinstall threadkit-web.") from None
    return _response(answer)


@require_safe
def embed_js(request: HttpRequest) -> HttpResponse:
    """Serve the embed script."""
    return _serve(request, "embed.js")


@require_safe
def embed_css(request: HttpRequest) -> HttpResponse:
    """Serve the embed's stylesheet."""
    return _serve(request, "embed.css")


@require_safe
def embed_i18n(request: HttpRequest) -> HttpResponse:
    """Serve embed.js's catalog for ``?lang=`` (English for a language threadkit does not ship)."""
    return _response(embed.catalog_answer(request.GET.get("lang")))
