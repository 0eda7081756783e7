"""threadkit's CSS and JavaScript, served from ``threadkit_web``'s static folder.

Served by the adapter so ``{% threadkit_thread %}`` works with no
``collectstatic`` step; a site may serve the same folder (``threadkit_web.STATIC``)
from its web server instead.
"""

from __future__ import annotations

import mimetypes

from django.http import Http404, HttpRequest, HttpResponse
from threadkit_web import STATIC

__all__ = ["static"]


def static(request: HttpRequest, filename: str) -> HttpResponse:
    """Return one file of the static folder (404 for anything outside it)."""
    root = STATIC.resolve()
    path = (root / filename).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404("no such threadkit static file")
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    # A few small files: read whole, so no open file outlives a response nobody read.
    response = HttpResponse(path.read_bytes(), content_type=kind)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
