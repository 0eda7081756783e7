"""threadkit's models as Isso's shapes: the one place the two vocabularies meet.

* Isso nests one level: a reply to a reply is attached to its top-level
  comment, so ``parent`` is the comment's ``root_id`` (``None`` at the top).
* Modes: approved is 1; pending, and spam (which only its author sees), are 2;
  a deleted comment kept as a placeholder for its replies is 4.
* ``likes`` / ``dislikes`` are threadkit's up- and down-votes.
* ``hash`` seeds the client's identicon: a digest of the author's identity key,
  so one person's comments share a picture and no email leaves the server.
"""

from __future__ import annotations

import hashlib

from threadkit.models import Comment, Status

from .shapes import MODE_ACCEPTED, MODE_DELETED, MODE_PENDING, IssoComment, IssoLatest

__all__ = ["MODES", "isso_comment", "isso_latest", "isso_parent", "mode_of", "thread_uri"]

MODES = {
    Status.APPROVED: MODE_ACCEPTED,
    Status.PENDING: MODE_PENDING,
    Status.SPAM: MODE_PENDING,
    Status.DELETED: MODE_DELETED,
}
"""threadkit's status to Isso's mode."""


def mode_of(comment: Comment) -> int:
    """Return Isso's mode for ``comment``."""
    return MODES[comment.status]


def isso_parent(comment: Comment) -> int | None:
    """Return the parent Isso shows: the top-level comment a reply (of any depth) hangs under."""
    return None if comment.parent_id is None else comment.root_id


def _hash(comment: Comment) -> str:
    if comment.status is Status.DELETED:
        return ""
    return hashlib.sha256(comment.author.key.encode("utf-8")).hexdigest()[:12]


def isso_comment(comment: Comment) -> IssoComment:
    """Return ``comment`` in Isso's shape (without replies)."""
    deleted = comment.status is Status.DELETED
    return IssoComment(
        id=comment.id,
        parent=isso_parent(comment),
        text="" if deleted else comment.body_html,
        author=None if deleted else (comment.author.name or None),
        website=None if deleted else comment.author.url,
        mode=mode_of(comment),
        created=comment.created_at.timestamp(),
        modified=comment.edited_at.timestamp() if comment.edited_at else None,
        likes=comment.upvotes,
        dislikes=comment.downvotes,
        hash=_hash(comment),
        notification=1 if comment.notify_replies else 0,
    )


def thread_uri(thread_key: str, prefix: str) -> str:
    """Return the page URI Isso knows a thread by: its key without the site's prefix."""
    return thread_key[len(prefix) :] if thread_key.startswith(prefix) else thread_key


def isso_latest(comment: Comment, prefix: str) -> IssoLatest:
    """Return ``comment`` as ``GET /latest`` lists it, with its page's ``uri``."""
    shown = isso_comment(comment)
    return IssoLatest(
        id=comment.id,
        parent=shown["parent"],
        text=shown["text"],
        author=shown["author"],
        website=shown["website"],
        mode=shown["mode"],
        created=shown["created"],
        modified=shown["modified"],
        likes=shown["likes"],
        dislikes=shown["dislikes"],
        uri=thread_uri(comment.thread_key, prefix),
    )
