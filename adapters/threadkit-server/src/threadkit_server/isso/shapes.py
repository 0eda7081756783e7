"""Isso 0.14's JSON shapes, written once: what its ``embed.js`` reads and sends.

Field names and types follow Isso's own server (``isso/views/comments.py``):
times are Unix seconds as floats, ``mode`` is 1 (accepted), 2 (awaiting
moderation) or 4 (deleted, kept as a placeholder for its replies), and a
comment's ``hash`` seeds the client's identicon.
"""

from __future__ import annotations

from typing import TypedDict

__all__ = [
    "MODE_ACCEPTED",
    "MODE_DELETED",
    "MODE_PENDING",
    "IssoComment",
    "IssoConfig",
    "IssoLatest",
    "IssoThread",
    "IssoVotes",
]

MODE_ACCEPTED = 1
"""Isso's mode of a published comment."""

MODE_PENDING = 2
"""Isso's mode of a comment awaiting moderation (threadkit: pending, or spam to its author)."""

MODE_DELETED = 4
"""Isso's mode of a deleted comment that stays as a placeholder for its replies."""


class _IssoFields(TypedDict):
    """The fields every comment Isso answers has, whichever route lists it."""

    id: int
    parent: int | None
    text: str
    author: str | None
    website: str | None
    mode: int
    created: float
    modified: float | None
    likes: int
    dislikes: int


class IssoComment(_IssoFields, total=False):
    """One comment as Isso answers it; ``replies`` and counts only in a fetch's top level."""

    hash: str
    notification: int
    total_replies: int
    hidden_replies: int
    replies: list[IssoComment]


class IssoLatest(_IssoFields):
    """One comment of ``GET /latest``: Isso adds the thread's ``uri``."""

    uri: str


IssoConfig = TypedDict(
    "IssoConfig",
    {
        "reply-to-self": bool,
        "require-email": bool,
        "require-author": bool,
        "website-field": bool,
        "reply-notifications": bool,
        "gravatar": bool,
        "avatar": bool,
        "feed": bool,
    },
)
"""The public configuration the client reads (``GET /config`` and every fetch), Isso's keys."""


class IssoThread(TypedDict):
    """A fetch's answer: the thread (``id`` null) or one comment's replies (``id`` its id)."""

    id: int | None
    total_replies: int
    hidden_replies: int
    replies: list[IssoComment]
    config: IssoConfig


class IssoVotes(TypedDict, total=False):
    """The answer to a like or dislike; ``message`` says why a vote was not counted."""

    likes: int
    dislikes: int
    message: str
