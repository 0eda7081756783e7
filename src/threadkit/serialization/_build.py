"""Models to shapes: build the :mod:`~threadkit.serialization.shapes` Struct of a model.

One builder per model, each with a ``moderator`` switch choosing the reader's
or the moderator's class; the encoders and ``to_public`` both use them, so the
two can never disagree about a field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from msgspec import Struct

from threadkit.models import Comment, CommentRows, Identity, Reason, Status, Thread, utc
from threadkit.pages import SubtreePage, ThreadPage
from threadkit.serialization import shapes
from threadkit.tree import TreeNode

__all__ = [
    "NO_REPLIES",
    "author",
    "comment",
    "comment_rows",
    "node_maker",
    "page_head",
    "thread",
]

NO_REPLIES: list[Any] = []
"""The ``replies`` of every node built here: encoders write the real replies themselves."""

_DELETED = Status.DELETED
_NOTHING: dict[str, Any] = {}


def in_utc(moment: datetime) -> datetime:
    """Return ``moment`` with the ``datetime.UTC`` zone, so msgspec writes ``Z``."""
    return moment if moment.tzinfo is UTC else utc(moment)


def author(identity: Identity, moderator: bool = False) -> shapes.Author | shapes.ModeratorAuthor:
    """Build an identity's shape (with the email for a moderator)."""
    if moderator:
        return shapes.ModeratorAuthor(
            identity.provider,
            identity.name,
            identity.email,
            identity.url,
            identity.avatar,
            identity.verified,
        )
    return shapes.Author(
        identity.provider, identity.name, identity.url, identity.avatar, identity.verified
    )


def _moderator_extra(comment: Comment) -> dict[str, Any]:
    """Build the moderator-only fields of a comment that is not a placeholder."""
    context = comment.context
    return {
        "context": shapes.Context(
            context.ip, context.user_agent, context.referrer, context.language
        ),
        "reasons": [_reason(reason) for reason in comment.reasons],
    }


def _reason(reason: Reason) -> shapes.Reason:
    return shapes.Reason(reason.step, reason.code, reason.message)


def _maker(moderator: bool, tree: bool) -> Callable[[Comment, dict[str, Any]], Struct]:
    """Make the function that builds one comment's shape; ``tree`` adds the node fields.

    Authors are built once per maker (a page repeats its regular commenters).
    """
    if tree:
        shape: Any = shapes.ModeratorNode if moderator else shapes.Node
    else:
        shape = shapes.ModeratorComment if moderator else shapes.Comment
    authors: dict[int, Any] = {}

    def make(comment: Comment, node_fields: dict[str, Any]) -> Struct:
        if comment.status is _DELETED:
            return shape(  # type: ignore[no-any-return]
                id=comment.id,
                thread=comment.thread_key,
                parent_id=comment.parent_id,
                root_id=comment.root_id,
                depth=comment.depth,
                status=_DELETED,
                author=None,
                body_html="",
                body_source="",
                created_at=in_utc(comment.created_at),
                reply_count=comment.reply_count,
                **node_fields,
            )
        identity = comment.author
        shown = authors.get(id(identity))
        if shown is None:
            shown = authors[id(identity)] = author(identity, moderator)
        edited = comment.edited_at
        upvotes = comment.upvotes
        downvotes = comment.downvotes
        return shape(  # type: ignore[no-any-return]
            id=comment.id,
            thread=comment.thread_key,
            parent_id=comment.parent_id,
            root_id=comment.root_id,
            depth=comment.depth,
            status=comment.status,
            author=shown,
            body_html=comment.body_html,
            body_source=comment.body_source,
            created_at=in_utc(comment.created_at),
            edited_at=None if edited is None else in_utc(edited),
            upvotes=upvotes,
            downvotes=downvotes,
            score=upvotes - downvotes,
            reply_count=comment.reply_count,
            **(_moderator_extra(comment) if moderator else _NOTHING),
            **node_fields,
        )

    return make


def comment(value: Comment, moderator: bool = False) -> Struct:
    """Build a comment's shape (``Comment``, or ``ModeratorComment``)."""
    return _maker(moderator, tree=False)(value, _NOTHING)


def node_maker(moderator: bool = False) -> Callable[[TreeNode], Struct]:
    """Make the function that builds a tree node's shape with empty ``replies``.

    One maker serves one page, so each author is built once.
    """
    make = _maker(moderator, tree=True)

    def node(value: TreeNode) -> Struct:
        return make(
            value.comment,
            {
                "display_depth": value.depth,
                "more_replies": value.more_replies,
                "replies": NO_REPLIES,
            },
        )

    return node


def thread(value: Thread) -> shapes.Thread:
    """Build a thread's shape."""
    return shapes.Thread(
        value.key,
        value.title,
        value.url,
        value.closed,
        value.comment_count,
        value.top_level_count,
        in_utc(value.created_at),
    )


def page_head(page: ThreadPage | SubtreePage, moderator: bool = False) -> Struct:
    """Build a page's shape with no comments (encoders add them)."""
    if isinstance(page, ThreadPage):
        thread_shape = thread(page.thread)
        if moderator:
            return shapes.ModeratorThreadPage(thread_shape, page.sort, page.next_cursor, [])
        return shapes.ThreadPage(thread_shape, page.sort, page.next_cursor, [])
    if moderator:
        return shapes.ModeratorSubtreePage(page.parent.id, page.next_cursor, [])
    return shapes.SubtreePage(page.parent.id, page.next_cursor, [])


def comment_rows(rows: CommentRows, moderator: bool = False) -> Struct:
    """Build a batch of comments' shape (the moderation queue's, for a moderator)."""
    make = _maker(moderator, tree=False)
    comments = [make(value, _NOTHING) for value in rows.comments]
    if moderator:
        return shapes.ModeratorCommentRows(comments, rows.next_cursor)  # type: ignore[arg-type]
    return shapes.CommentRows(comments, rows.next_cursor)  # type: ignore[arg-type]
