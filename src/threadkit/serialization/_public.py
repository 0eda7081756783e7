"""Public shapes as plain JSON values (``to_public``), and the cattrs converters that wrap them.

The shapes themselves are defined in :mod:`threadkit.serialization.shapes`;
this module only builds them (see ``_build``) and turns them into dicts and
lists. Trees are unfolded with an explicit stack, so a reply chain may be any
depth.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import attrs
import cattrs
import msgspec

from threadkit.errors import ValidationError
from threadkit.models import (
    Comment,
    CommentRows,
    Identity,
    Reason,
    RequestContext,
    SortOrder,
    Submission,
    Thread,
    utc,
)
from threadkit.pages import SubtreePage, ThreadPage
from threadkit.serialization import _build, shapes
from threadkit.serialization._parse import parse_sort, parse_submission
from threadkit.tree import TreeNode

__all__ = [
    "encode_comment_stream",
    "iso_utc",
    "make_converter",
    "moderator_converter",
    "public_converter",
    "shape_of",
    "to_public",
]


def iso_utc(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 in UTC with a ``Z`` suffix.

    Microseconds appear only when they are not zero, as ``isoformat`` does
    (and as msgspec writes the ``created_at`` of every shape).

    >>> from datetime import UTC
    >>> iso_utc(datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=UTC))
    '2026-01-02T03:04:05.000060Z'
    """
    return utc(moment).isoformat()[:-6] + "Z"  # UTC isoformat always ends in "+00:00"


def _plain(shape: msgspec.Struct) -> Any:
    return msgspec.to_builtins(shape)


def _nodes(roots: list[TreeNode] | tuple[TreeNode, ...], moderator: bool) -> list[Any]:
    """Unfold tree nodes to plain node shapes with an explicit stack (any depth)."""
    make = _build.node_maker(moderator)
    top: list[Any] = []
    stack: list[tuple[TreeNode, list[Any]]] = [(root, top) for root in reversed(roots)]
    while stack:
        node, siblings = stack.pop()
        shape = _plain(make(node))
        siblings.append(shape)
        replies = shape["replies"]
        stack.extend((child, replies) for child in reversed(node.children))
    return top


def _page(page: ThreadPage | SubtreePage, moderator: bool) -> Any:
    shape = _plain(_build.page_head(page, moderator))
    shape["comments"] = _nodes(page.nodes, moderator)
    return shape


def to_public(obj: object, *, moderator: bool = False) -> Any:
    """Return ``obj``'s public shape as plain JSON values (dicts, lists, str, ...).

    ``obj`` is a model with a shape (a comment, thread, identity, reason,
    request context, tree node, list of tree nodes, page or batch of comments);
    ``moderator=True`` gives the moderator's view. Anything else raises
    ``TypeError``, so a private field can never leak by accident. Use
    ``encode_public`` for bytes.
    """
    if isinstance(obj, ThreadPage | SubtreePage):
        return _page(obj, moderator)
    if isinstance(obj, TreeNode):
        return _nodes([obj], moderator)[0]
    if isinstance(obj, list | tuple) and all(isinstance(item, TreeNode) for item in obj):
        return _nodes(obj, moderator)
    if isinstance(obj, list | tuple):
        return [to_public(item, moderator=moderator) for item in obj]
    if isinstance(obj, dict):
        return {key: to_public(value, moderator=moderator) for key, value in obj.items()}
    if isinstance(obj, Comment):
        return _plain(_build.comment(obj, moderator))
    if isinstance(obj, Thread):
        return _plain(_build.thread(obj))
    if isinstance(obj, Identity):
        return _plain(_build.author(obj, moderator))
    if isinstance(obj, CommentRows):
        return _plain(_build.comment_rows(obj, moderator))
    if isinstance(obj, Reason):
        return _plain(shapes.Reason(obj.step, obj.code, obj.message))
    if isinstance(obj, RequestContext):
        return _plain(shapes.Context(obj.ip, obj.user_agent, obj.referrer, obj.language))
    if attrs.has(type(obj)):  # msgspec would write every field of it: refuse instead
        raise TypeError(
            f"{type(obj).__qualname__} has no public JSON shape; use"
            " threadkit.serialization.dumps for a full (private) copy"
        )
    return msgspec.to_builtins(obj)


def shape_of(
    obj: Comment | Identity | Thread | CommentRows, *, moderator: bool = False, source: bool = True
) -> Any:
    """Return the shape of ``obj`` as its :mod:`~threadkit.serialization.shapes` Struct.

    For composing bigger answers out of shapes, e.g. ``shapes.Deleted(shape_of(comment))``;
    ``encode_public`` encodes any shape Struct directly. ``source=False``
    leaves a comment's ``body_source`` out (what readers who cannot edit get).
    """
    if isinstance(obj, Comment):
        if not source:
            return _build._maker(moderator, source=False)(obj)
        return _build.comment(obj, moderator)
    if isinstance(obj, Identity):
        return _build.author(obj, moderator)
    if isinstance(obj, Thread):
        return _build.thread(obj)
    if isinstance(obj, CommentRows):
        return _build.comment_rows(obj, moderator)
    raise TypeError(f"{type(obj).__qualname__} has no shape Struct")


_STREAM_ENCODER = msgspec.json.Encoder()


def encode_comment_stream(
    batches: Iterable[Sequence[shapes.Comment | shapes.ModeratorComment]],
) -> Iterator[bytes]:
    """Encode batches of comment shapes as one ``CommentRows`` document, in chunks.

    The chunks joined are ``msgspec.json.encode(shapes.CommentRows(every
    comment, None))``, byte for byte, while only one batch is held at a
    time: for streaming a whole thread (e.g. ``SqlCommentStore.iter_public_comments``)
    to a response or a file.

    >>> b"".join(encode_comment_stream([[], []]))
    b'{"comments":[],"next_cursor":null}'
    """
    yield b'{"comments":['
    first = True
    for batch in batches:
        if not batch:
            continue
        encoded = _STREAM_ENCODER.encode(batch)
        yield encoded[1:-1] if first else b"," + encoded[1:-1]
        first = False
    yield b'],"next_cursor":null}'


def make_converter(*, moderator: bool = False) -> cattrs.Converter:
    """Build a cattrs converter that unstructures with ``to_public`` (or its moderator view).

    It exists for code that speaks cattrs; the shapes come from
    :mod:`~threadkit.serialization.shapes` either way. It also structures a
    :class:`~threadkit.models.Submission` and a :class:`~threadkit.models.SortOrder`
    from decoded JSON, with :class:`~threadkit.errors.ValidationError` for bad input.
    """
    conv = cattrs.Converter()

    def unstructure(value: Any) -> Any:
        return to_public(value, moderator=moderator)

    conv.register_unstructure_hook_func(lambda cls: attrs.has(cls) or cls is TreeNode, unstructure)
    conv.register_unstructure_hook(datetime, iso_utc)
    conv.register_structure_hook(Submission, lambda value, _: parse_submission(value))
    conv.register_structure_hook(SortOrder, lambda value, _: _required_sort(value))
    return conv


def _required_sort(value: object) -> SortOrder:
    """Structure a sort order, refusing a missing one (the converter has no default)."""
    sort = parse_sort(value)
    if sort is None:
        raise ValidationError("required", "Choose a sort order.", field="sort")
    return sort


#: Public shapes: what any reader may see.
public_converter = make_converter()
#: The moderator view: public shapes plus email, request context and reasons.
moderator_converter = make_converter(moderator=True)
