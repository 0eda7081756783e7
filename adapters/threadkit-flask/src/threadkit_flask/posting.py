"""Posting a comment from Flask: the shared :mod:`threadkit_web.posting` on this request.

A post may carry an idempotency key (the ``Idempotency-Key`` header on the
JSON API, the hidden ``idempotency_key`` field of the HTML form, filled with a
fresh key on every render): a retry with the same key gets the first comment
back instead of a second one (see ``CommentEngine.post``).
"""

from __future__ import annotations

from collections.abc import Mapping

from threadkit_web import posting
from threadkit_web.inputs import IDEMPOTENCY_FIELD, IDEMPOTENCY_HEADER

from threadkit.models import Identity

from .rendering import FlaskVisit
from .state import ThreadKitState

__all__ = ["IDEMPOTENCY_FIELD", "IDEMPOTENCY_HEADER", "author_for_post"]


def author_for_post(state: ThreadKitState, fields: Mapping[str, str]) -> Identity:
    """Who is posting: the logged-in identity, else the form provider's reading of ``fields``."""
    return posting.author_for_post(state, FlaskVisit(state), fields)
