"""Avatars: identicons drawn locally for anonymous commenters, no outside requests.

An :class:`~threadkit.identity.AnonymousProvider` given an ``avatar_secret``
sets ``Identity.avatar`` to ``"identicon:<seed>"``; templates turn that into
``<prefix>/avatars/<seed>.svg``, served here. An avatar that is an https URL
(from a social login) is used as is; anything else shows no picture.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, url_for

from threadkit.errors import NotFoundError
from threadkit.identicon import identicon_svg

from .state import get_state

__all__ = ["IDENTICON_PREFIX", "avatar_url", "register"]

IDENTICON_PREFIX = "identicon:"
"""How an identity's ``avatar`` says "draw an identicon from this seed"."""

_SEED = re.compile(r"[0-9a-f]{8,64}")


def avatar_url(avatar: str | None) -> str | None:
    """Return the image URL for an identity's ``avatar`` value, or ``None`` for no picture."""
    if not avatar:
        return None
    if avatar.startswith(IDENTICON_PREFIX):
        seed = avatar[len(IDENTICON_PREFIX) :]
        if not _SEED.fullmatch(seed):
            return None
        return url_for(f"{get_state().blueprint_name}.avatar", seed=seed)
    if avatar.startswith("https://") and '"' not in avatar:
        return avatar
    return None


def avatar(seed: str) -> Response:
    """Serve the identicon of ``seed`` as SVG (cached: the same seed draws the same picture)."""
    if not _SEED.fullmatch(seed):
        raise NotFoundError("avatar_not_found", "There is no such avatar.", field="seed")
    response = Response(identicon_svg(seed, size=48))
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def register(bp: Blueprint) -> None:
    """Add the avatar route to ``bp``."""
    bp.add_url_rule("/avatars/<seed>.svg", "avatar", avatar, methods=["GET"])
