"""Every JSON shape threadkit shows the world, and parsing of what comes in.

One cattrs converter (``public_converter``; ``moderator_converter`` is the
same with a moderator's extra fields) defines every public shape, and
``to_public`` applies it. Adapters return exactly these shapes, so a client
written against one adapter works with all of them.

* ``encode_page`` / ``encode_nodes`` are the hot read path: the same bytes as
  ``msgspec.json.encode(to_public(page))``, several times faster, and at any
  nesting depth (a 10,000-deep reply chain is fine). ``encode_public`` picks
  the fast path when there is one.
* ``dumps`` / ``loads`` are the full, private round trip for export and backup.
* ``parse_json_object``, ``parse_submission``, ``parse_form_submission``,
  ``parse_id``, ``parse_sort``, ``parse_cursor`` and ``parse_vote`` turn
  untrusted input into values or raise
  :class:`~threadkit.errors.ValidationError` (never anything else) with a
  ``code``, the ``field`` at fault and a message that says what to fix.

Public shapes
=============

Times are ISO 8601 in UTC with a ``Z`` suffix (``"2026-11-25T18:32:33.120000Z"``;
the fraction appears only when it is not zero). Enums are their values.

identity::

    {"provider": str, "name": str, "url": str | null, "avatar": str | null,
     "verified": bool}

  Never the email, never the provider's subject id.

comment::

    {"id": int, "thread": str, "parent_id": int | null, "root_id": int,
     "depth": int, "status": "approved" | "pending" | "spam",
     "author": identity, "body_html": str, "body_source": str,
     "created_at": time, "edited_at": time | null, "upvotes": int,
     "downvotes": int, "score": int, "reply_count": int}

  ``body_source`` is the Markdown source, for editing. Never the email, the
  request context or moderation reasons. A deleted comment kept as a
  placeholder for its replies has only::

    {"id", "thread", "parent_id", "root_id", "depth", "status": "deleted",
     "author": null, "body_html": "", "body_source": "", "created_at",
     "reply_count"}

moderator view of a comment (``moderator=True``): the comment shape, with
``"email"`` in ``author`` and two more keys (a placeholder stays as above)::

    "context": {"ip": str, "user_agent": str, "referrer": str, "language": str},
    "reasons": [{"step": str, "code": str, "message": str}, ...]

tree node: the comment shape plus::

    "display_depth": int, "more_replies": int, "replies": [node, ...]

  ``display_depth`` is where the node is shown (it differs from ``depth`` when
  a depth limit applies); ``more_replies`` counts direct replies not on this
  page (fetch them with the subtree endpoint).

thread::

    {"key": str, "title": str, "url": str, "closed": bool,
     "comment_count": int, "top_level_count": int, "created_at": time}

page of a thread (``ThreadPage``)::

    {"thread": thread, "sort": "oldest" | "newest" | "top",
     "next_cursor": str | null, "comments": [node, ...]}

page of a subtree (``SubtreePage``)::

    {"parent_id": int, "next_cursor": str | null, "comments": [node, ...]}

moderation queue (``CommentRows``)::

    {"comments": [comment, ...], "next_cursor": str | null}

Any other attrs class has no public shape and is refused with ``TypeError``.

>>> from datetime import UTC, datetime
>>> from threadkit.models import Thread
>>> to_public(Thread("post-1", datetime(2026, 1, 2, tzinfo=UTC), "Hello"))["created_at"]
'2026-01-02T00:00:00Z'
"""

from __future__ import annotations

from typing import Any

import msgspec

from threadkit.pages import SubtreePage, ThreadPage
from threadkit.serialization._backup import backup_converter, dumps, loads
from threadkit.serialization._fast import encode_nodes, encode_page
from threadkit.serialization._parse import (
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_NESTING,
    ROOT,
    parse_cursor,
    parse_form_submission,
    parse_id,
    parse_json_object,
    parse_sort,
    parse_submission,
    parse_vote,
)
from threadkit.serialization._shapes import (
    iso_utc,
    make_converter,
    moderator_converter,
    public_converter,
)
from threadkit.tree import TreeNode

__all__ = [
    # shapes
    "public_converter",
    "moderator_converter",
    "make_converter",
    "to_public",
    "encode_public",
    "encode_page",
    "encode_nodes",
    "iso_utc",
    # backup
    "backup_converter",
    "dumps",
    "loads",
    # input
    "parse_json_object",
    "parse_submission",
    "parse_form_submission",
    "parse_id",
    "parse_sort",
    "parse_cursor",
    "parse_vote",
    "ROOT",
    "MAX_NESTING",
    "MAX_ID",
    "MAX_CURSOR_LENGTH",
]


def to_public(obj: object, *, moderator: bool = False) -> Any:
    """Return ``obj``'s public shape as plain JSON values (dicts, lists, str, ...).

    This is the reference; use ``encode_public`` for bytes.
    """
    converter = moderator_converter if moderator else public_converter
    return converter.unstructure(obj)


def encode_public(obj: object, *, moderator: bool = False) -> bytes:
    """Encode ``obj``'s public shape to JSON bytes, using the fast path for pages and trees."""
    if isinstance(obj, ThreadPage | SubtreePage):
        return encode_page(obj, moderator=moderator)
    if isinstance(obj, list) and obj and all(isinstance(node, TreeNode) for node in obj):
        return encode_nodes(obj, moderator=moderator)
    if isinstance(obj, TreeNode):
        return encode_nodes([obj], moderator=moderator)[1:-1]
    return msgspec.json.encode(to_public(obj, moderator=moderator))
