"""Models to shapes: build the :mod:`~threadkit.serialization.shapes` Struct of a model.

One builder per model, each with a ``moderator`` switch choosing the reader's
or the moderator's class; the encoders and ``to_public`` both use them, so the
two can never disagree about a field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from msgspec import UNSET, Raw, Struct
from msgspec.json import Encoder

from threadkit.bans import CODE_SHADOW_BANNED
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
"""The ``replies`` of a node shape built without any (shared: never append to it)."""

_DELETED = Status.DELETED
_AUTHOR_ENCODER = Encoder()
_SPAM = Status.SPAM


def _shown_status(comment: Comment, moderator: bool) -> Status:
    """Show a reader a shadow-banned comment (only ever their own) as published."""
    if moderator or comment.status is not _SPAM:
        return comment.status
    if any(reason.code == CODE_SHADOW_BANNED for reason in comment.reasons):
        return Status.APPROVED
    return comment.status


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


def _reason(reason: Reason) -> shapes.Reason:
    return shapes.Reason(reason.step, reason.code, reason.message)


_NOTHING_SHOWN = (UNSET, UNSET, UNSET, UNSET)
"""A placeholder's ``edited_at``, ``upvotes``, ``downvotes`` and ``score``: left out."""


def _maker(moderator: bool, source: bool = True) -> Callable[[Comment], Struct]:
    """Make the function that builds the shape of a comment.

    ``source=False`` leaves ``body_source`` out (a reader who cannot edit needs
    only the HTML).

    The shape is the reader's or the moderator's ``Comment`` (a tree node's
    is built by :func:`node_maker`, with the same comment fields). Values are
    positional because msgspec builds a Struct from positional arguments about
    twice as fast as from keywords, and this is the hot path. Authors are built
    once per maker (a page repeats its regular commenters).
    """
    shape: Any = shapes.ModeratorComment if moderator else shapes.Comment
    authors: dict[int, Any] = {}
    unset_extra = (UNSET, UNSET) if moderator else ()
    no_tail = ()

    def make(comment: Comment) -> Struct:
        created = comment.created_at
        if created.tzinfo is not UTC:
            created = utc(created)
        if comment.status is _DELETED:
            # a placeholder keeps its place in the tree and nothing of its author or text
            shown_fields: tuple[Any, ...] = (_DELETED, None, "", "", created, *_NOTHING_SHOWN)
            extra: tuple[Any, ...] = unset_extra
        else:
            identity = comment.author
            shown = authors.get(id(identity))
            if shown is None:
                shown = authors[id(identity)] = author(identity, moderator)
            edited = comment.edited_at
            if edited is not None and edited.tzinfo is not UTC:
                edited = utc(edited)
            upvotes = comment.upvotes
            downvotes = comment.downvotes
            shown_fields = (
                _shown_status(comment, moderator),
                shown,
                comment.body_html,
                comment.body_source if source else UNSET,
                created,
                edited,
                upvotes,
                downvotes,
                upvotes - downvotes,
            )
            extra = _moderator_extra(comment) if moderator else no_tail
        return shape(  # type: ignore[no-any-return]
            comment.id,
            comment.thread_key,
            comment.parent_id,
            comment.root_id,
            comment.depth,
            *shown_fields,
            comment.reply_count,
            *extra,
        )

    return make


def _moderator_extra(comment: Comment) -> tuple[shapes.Context, list[shapes.Reason]]:
    """Build the moderator-only fields of a comment that is not a placeholder."""
    context = comment.context
    return (
        shapes.Context(context.ip, context.user_agent, context.referrer, context.language),
        [_reason(reason) for reason in comment.reasons],
    )


def comment(value: Comment, moderator: bool = False) -> Struct:
    """Build a comment's shape (``Comment``, or ``ModeratorComment``)."""
    return _maker(moderator)(value)


def node_maker(
    moderator: bool = False, *, source: bool = True, raw_authors: bool = False
) -> Callable[..., Struct]:
    """Make the function that builds a tree node's shape: ``make(node, replies=NO_REPLIES)``.

    One maker serves one page, so each author is built once. ``source=False``
    leaves out every ``body_source``; ``raw_authors=True`` gives each author
    as its encoded JSON (``msgspec.Raw``), for encoders only: msgspec copies
    those bytes instead of writing the same author again for every comment.

    This is the hot path of every page (once per comment), so it is written
    flat: no tuples built per call, the values in the shape's field order.
    The comment fields are those :func:`comment` builds (a test pins that).
    """
    shape: Any = shapes.ModeratorNode if moderator else shapes.Node
    authors: dict[int, Any] = {}

    def shown_author(identity: Identity) -> Any:
        built: Any = author(identity, moderator)
        if raw_authors:
            built = Raw(_AUTHOR_ENCODER.encode(built))
        authors[id(identity)] = built
        return built

    def make(node: TreeNode, replies: Any = NO_REPLIES) -> Struct:
        comment: Comment = node.comment
        created = comment.created_at
        if created.tzinfo is not UTC:
            created = utc(created)
        status = comment.status
        if status is _DELETED:
            # a placeholder keeps its place in the tree and nothing of its author or text
            if moderator:
                return shape(  # type: ignore[no-any-return]
                    comment.id, comment.thread_key, comment.parent_id, comment.root_id,
                    comment.depth, _DELETED, None, "", "", created, UNSET, UNSET, UNSET,
                    UNSET, comment.reply_count, UNSET, UNSET, node.depth, node.more_replies,
                    replies,
                )  # fmt: skip
            return shape(  # type: ignore[no-any-return]
                comment.id, comment.thread_key, comment.parent_id, comment.root_id,
                comment.depth, _DELETED, None, "", "", created, UNSET, UNSET, UNSET, UNSET,
                comment.reply_count, node.depth, node.more_replies, replies,
            )  # fmt: skip
        if status is _SPAM:
            status = _shown_status(comment, moderator)
        identity = comment.author
        shown = authors.get(id(identity))
        if shown is None:
            shown = shown_author(identity)
        edited = comment.edited_at
        if edited is not None and edited.tzinfo is not UTC:
            edited = utc(edited)
        upvotes = comment.upvotes
        downvotes = comment.downvotes
        if moderator:
            context, reasons = _moderator_extra(comment)
            return shape(  # type: ignore[no-any-return]
                comment.id, comment.thread_key, comment.parent_id, comment.root_id,
                comment.depth, status, shown, comment.body_html,
                comment.body_source if source else UNSET, created, edited, upvotes,
                downvotes, upvotes - downvotes, comment.reply_count, context, reasons,
                node.depth, node.more_replies, replies,
            )  # fmt: skip
        return shape(  # type: ignore[no-any-return]
            comment.id, comment.thread_key, comment.parent_id, comment.root_id,
            comment.depth, status, shown, comment.body_html,
            comment.body_source if source else UNSET, created, edited, upvotes, downvotes,
            upvotes - downvotes, comment.reply_count, node.depth, node.more_replies, replies,
        )  # fmt: skip

    return make


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
    make = _maker(moderator)
    comments: Any = [make(value) for value in rows.comments]
    if moderator:
        return shapes.ModeratorCommentRows(comments, rows.next_cursor)
    return shapes.CommentRows(comments, rows.next_cursor)
