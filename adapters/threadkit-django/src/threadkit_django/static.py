"""threadkit's CSS and JavaScript (``threadkit_web``'s static folder), and identicon avatars.

Served by the adapter so ``{% threadkit_thread %}`` works with no
``collectstatic`` step; a site may serve the same folder (``threadkit_web.STATIC``)
from its web server instead.
"""

from __future__ import annotations

import mimetypes

from django.http import Http404, HttpRequest, HttpResponse
from threadkit_web import STATIC
from threadkit_web.context import AVATAR_SEED

from threadkit.identicon import identicon_svg

__all__ = ["avatar", "static"]


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


def avatar(request: HttpRequest, seed: str) -> HttpResponse:
    """Return the identicon of ``seed`` as SVG (drawn here: a page loads nothing from elsewhere)."""
    if not AVATAR_SEED.fullmatch(seed):
        raise Http404("no such avatar")
    response = HttpResponse(identicon_svg(seed, size=48), content_type="image/svg+xml")
    # The same seed always draws the same picture.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
