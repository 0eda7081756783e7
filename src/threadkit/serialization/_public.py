"""The public and moderator JSON shapes, defined as hooks on cattrs converters.

This is the reference definition of every shape: the fast encoder in
``_fast`` must produce exactly what these hooks produce (the tests check it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from threadkit.errors import ValidationError
from threadkit.models import (
    Comment,
    CommentRows,
    Identity,
    Reason,
    RequestContext,
    SortOrder,
    Status,
    Submission,
    Thread,
    utc,
)
from threadkit.pages import SubtreePage, ThreadPage
from threadkit.serialization._parse import parse_sort, parse_submission
from threadkit.tree import TreeNode

__all__ = ["iso_utc", "make_converter", "moderator_converter", "public_converter"]

#: The classes that have a public shape; any other attrs class is refused.
SHAPED = (
    Comment,
    CommentRows,
    Identity,
    Reason,
    RequestContext,
    SubtreePage,
    Thread,
    ThreadPage,
)


def iso_utc(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 in UTC with a ``Z`` suffix.

    Microseconds appear only when they are not zero, as ``isoformat`` does.

    >>> from datetime import UTC
    >>> iso_utc(datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=UTC))
    '2026-01-02T03:04:05.000060Z'
    """
    return utc(moment).isoformat()[:-6] + "Z"  # UTC isoformat always ends in "+00:00"


def _refuse_unshaped(cls: type[Any]) -> Any:
    """Make a hook that refuses to unstructure an attrs class with no public shape."""

    def refuse(value: Any) -> Any:
        raise TypeError(
            f"{cls.__qualname__} has no public JSON shape; use threadkit.serialization.dumps"
            " for a full (private) copy"
        )

    return refuse


def make_converter(*, moderator: bool = False) -> cattrs.Converter:
    """Build the converter for the public shapes (``moderator=True``: the moderator view).

    The moderator view adds the author's email, the request context and the
    moderation reasons to each comment; everything else is the same. Any attrs
    class without a shape here is refused with ``TypeError`` rather than
    dumped field by field, so a private field can never leak by accident.
    The converter also structures a :class:`~threadkit.models.Submission` and a
    :class:`~threadkit.models.SortOrder` from decoded JSON, with
    :class:`~threadkit.errors.ValidationError` for bad input.
    """
    conv = cattrs.Converter()
    conv.register_unstructure_hook_factory(attrs.has, _refuse_unshaped)
    conv.register_unstructure_hook(datetime, iso_utc)

    identity_fields = make_dict_unstructure_fn(
        Identity, conv, subject=override(omit=True), email=override(omit=not moderator)
    )
    conv.register_unstructure_hook(Identity, identity_fields)
    for cls in (Reason, RequestContext):
        conv.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, conv))

    def thread_shape(thread: Thread) -> dict[str, Any]:
        return {
            "key": thread.key,
            "title": thread.title,
            "url": thread.url,
            "closed": thread.closed,
            "comment_count": thread.comment_count,
            "top_level_count": thread.top_level_count,
            "created_at": iso_utc(thread.created_at),
        }

    def comment_shape(comment: Comment) -> dict[str, Any]:
        if comment.status is Status.DELETED:
            return {
                "id": comment.id,
                "thread": comment.thread_key,
                "parent_id": comment.parent_id,
                "root_id": comment.root_id,
                "depth": comment.depth,
                "status": Status.DELETED.value,
                "author": None,
                "body_html": "",
                "body_source": "",
                "created_at": iso_utc(comment.created_at),
                "reply_count": comment.reply_count,
            }
        shape = {
            "id": comment.id,
            "thread": comment.thread_key,
            "parent_id": comment.parent_id,
            "root_id": comment.root_id,
            "depth": comment.depth,
            "status": comment.status.value,
            "author": identity_fields(comment.author),
            "body_html": comment.body_html,
            "body_source": comment.body_source,
            "created_at": iso_utc(comment.created_at),
            "edited_at": None if comment.edited_at is None else iso_utc(comment.edited_at),
            "upvotes": comment.upvotes,
            "downvotes": comment.downvotes,
            "score": comment.score,
            "reply_count": comment.reply_count,
        }
        if moderator:
            shape["context"] = conv.unstructure(comment.context, RequestContext)
            shape["reasons"] = [conv.unstructure(reason, Reason) for reason in comment.reasons]
        return shape

    def node_fields(node: TreeNode) -> dict[str, Any]:
        shape = comment_shape(node.comment)
        shape["display_depth"] = node.depth
        shape["more_replies"] = node.more_replies
        shape["replies"] = []
        return shape

    def node_shape(root: TreeNode) -> dict[str, Any]:
        # An explicit stack, not recursion: a reply chain may be any depth.
        top = node_fields(root)
        stack = [(root, top)]
        while stack:
            node, shape = stack.pop()
            replies = shape["replies"]
            for child in node.children:
                child_shape = node_fields(child)
                replies.append(child_shape)
                stack.append((child, child_shape))
        return top

    def thread_page_shape(page: ThreadPage) -> dict[str, Any]:
        return {
            "thread": thread_shape(page.thread),
            "sort": page.sort.value,
            "next_cursor": page.next_cursor,
            "comments": [node_shape(node) for node in page.nodes],
        }

    def subtree_page_shape(page: SubtreePage) -> dict[str, Any]:
        return {
            "parent_id": page.parent.id,
            "next_cursor": page.next_cursor,
            "comments": [node_shape(node) for node in page.nodes],
        }

    def comment_rows_shape(rows: CommentRows) -> dict[str, Any]:
        return {
            "comments": [comment_shape(comment) for comment in rows.comments],
            "next_cursor": rows.next_cursor,
        }

    conv.register_unstructure_hook(Thread, thread_shape)
    conv.register_unstructure_hook(Comment, comment_shape)
    conv.register_unstructure_hook(TreeNode, node_shape)
    conv.register_unstructure_hook(ThreadPage, thread_page_shape)
    conv.register_unstructure_hook(SubtreePage, subtree_page_shape)
    conv.register_unstructure_hook(CommentRows, comment_rows_shape)

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
