"""Every JSON shape threadkit shows the world, and parsing of what comes in.

Each public shape is defined once, as a ``msgspec.Struct`` in
:mod:`threadkit.serialization.shapes`, in a reader's and a moderator's
variant. Everything else is derived from those classes: ``to_public`` (plain
values), the fast encoders, and the JSON Schemas an adapter's OpenAPI
document publishes (``shapes.json_schemas()``). Adapters return exactly these
shapes, so a client written against one adapter works with all of them.

* ``encode_page`` / ``encode_nodes`` are the hot read path: the same bytes as
  ``msgspec.json.encode(to_public(page))``, several times faster, and at any
  nesting depth (a 10,000-deep reply chain is fine). ``encode_public`` picks
  the fast path when there is one.
* ``public_converter`` / ``moderator_converter`` are cattrs converters whose
  unstructuring is ``to_public``, for code that speaks cattrs.
* ``dumps`` / ``loads`` are the full, private round trip for export and backup
  (cattrs, which structures every attrs model generically).
* ``parse_json_object``, ``parse_submission``, ``parse_form_submission``,
  ``parse_id``, ``parse_sort``, ``parse_cursor`` and ``parse_vote`` turn
  untrusted input into values or raise
  :class:`~threadkit.errors.ValidationError` (never anything else) with a
  ``code``, the ``field`` at fault and a message that says what to fix.

Public shapes
=============

The classes in :mod:`~threadkit.serialization.shapes` are the reference, with
every field; in short: times are ISO 8601 in UTC with a ``Z`` suffix
(``"2026-11-25T18:32:33.120000Z"``, the fraction only when it is not zero) and
enums are their values. An identity (``Author``) never carries the email or
the provider's subject id; a comment never carries the request context or the
moderation reasons; the ``Moderator*`` shapes add exactly those. A deleted
comment kept as a placeholder for its replies keeps only where it sits
(``author`` null, empty bodies, no votes). A tree node is a comment plus
``display_depth``, ``more_replies`` and its ``replies``; pages (``ThreadPage``,
``SubtreePage``) and batches (``CommentRows``) hold nodes or comments and the
``next_cursor``.

Any other attrs class has no public shape and is refused with ``TypeError``.

>>> from datetime import UTC, datetime
>>> from threadkit.models import Thread
>>> to_public(Thread("post-1", datetime(2026, 1, 2, tzinfo=UTC), "Hello"))["created_at"]
'2026-01-02T00:00:00Z'
"""

from __future__ import annotations

import msgspec

from threadkit.pages import SubtreePage, ThreadPage
from threadkit.serialization import shapes
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
from threadkit.serialization._public import (
    encode_comment_stream,
    iso_utc,
    make_converter,
    moderator_converter,
    public_converter,
    shape_of,
    to_public,
)
from threadkit.tree import TreeNode

__all__ = [
    # shapes
    "shapes",
    "public_converter",
    "moderator_converter",
    "make_converter",
    "to_public",
    "shape_of",
    "encode_public",
    "encode_page",
    "encode_nodes",
    "encode_comment_stream",
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


def encode_public(obj: object, *, moderator: bool = False, source: bool = True) -> bytes:
    """Encode ``obj``'s public shape to JSON bytes, using the fast path for pages and trees.

    ``source=False`` leaves ``body_source`` out of a page's comments: the lean
    shape for readers who cannot edit (and the one a shared cache keeps).
    """
    if isinstance(obj, TreeNode):  # a Struct too, but holding the private Comment
        return encode_nodes([obj], moderator=moderator)[1:-1]
    if isinstance(obj, msgspec.Struct):  # already a shape
        return msgspec.json.encode(obj)
    if isinstance(obj, ThreadPage | SubtreePage):
        return encode_page(obj, moderator=moderator, source=source)
    if isinstance(obj, list) and obj and all(isinstance(node, TreeNode) for node in obj):
        return encode_nodes(obj, moderator=moderator)
    return msgspec.json.encode(to_public(obj, moderator=moderator))
