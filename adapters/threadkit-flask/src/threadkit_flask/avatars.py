"""Avatars: identicons drawn locally for anonymous commenters, no outside requests.

An :class:`~threadkit.identity.AnonymousProvider` given an ``avatar_secret``
sets ``Identity.avatar`` to ``"identicon:<seed>"``; templates turn that into
``<prefix>/avatars/<seed>.svg``, served here. An avatar that is an https URL
(from a social login) is used as is; anything else shows no picture.
"""

from __future__ import annotations

from flask import Blueprint, Response
from threadkit_web.context import AVATAR_SEED

from threadkit.errors import NotFoundError
from threadkit.identicon import identicon_svg

__all__ = ["register"]

def avatar(seed: str) -> Response:
    """Serve the identicon of ``seed`` as SVG (cached: the same seed draws the same picture)."""
    if not AVATAR_SEED.fullmatch(seed):
        raise NotFoundError("avatar_not_found", "There is no such avatar.", field="seed")
    response = Response(identicon_svg(seed, size=48))
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def register(bp: Blueprint) -> None:
    """Add the avatar route to ``bp``."""
    bp.add_url_rule("/avatars/<seed>.svg", "avatar", avatar, methods=["GET"])
