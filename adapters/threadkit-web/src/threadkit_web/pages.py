"""The HTML pages' cores: what a comment page shows, and which comment a reader may change.

The emailed one-click links (moderation, unsubscribe) live here too: an
adapter routes ``moderate/<token>`` and ``unsubscribe/<token>``, checks CSRF on
the moderation POST, and renders the context these functions return.

An adapter's HTML routes check CSRF, read the form and answer with their own
responses; what they decide and render is here, so every adapter refuses the
same edits with the same errors and builds the same page context.
"""

from __future__ import annotations

from typing import Any

from threadkit.engine import Decision
from threadkit.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from threadkit.models import Actor, Comment, Status
from threadkit.tree import TreeNode, display_depth

from . import inputs
from .context import require_moderator, viewer_of
from .request import Visit
from .state import WebState
from .unsubscribe import unsubscribe_thread

__all__ = [
    "changeable",
    "comment_depth",
    "comment_page_context",
    "decision",
    "moderate_link_context",
    "moderate_token",
    "queue_context",
    "unsubscribe_context",
    "unsubscribe_token",
]


def comment_depth(state: WebState, comment: Comment) -> int:
    """Return the depth ``comment`` is shown at under the engine's display limit."""
    return display_depth(comment.depth, state.policy.max_display_depth, state.policy.overflow)


def changeable(state: WebState, visit: Visit, comment_id: str) -> Comment:
    """Return the comment the reader may edit or delete now; else raise the error saying why."""
    viewer = viewer_of(state, visit)
    comment = state.engine.get_comment(inputs.comment_id(comment_id), viewer.actor)
    if not viewer.can_change(comment):
        if comment.status is Status.DELETED:
            raise ConflictError("comment_deleted", "This comment is deleted.")
        if viewer.owns(comment):
            raise ConflictError("edit_window_closed", "The time to change this comment is over.")
        raise PermissionDeniedError("not_author", "You can only change your own comments.")
    return comment


def comment_page_context(
    state: WebState, visit: Visit, comment_id: str, back: str
) -> dict[str, Any]:
    """Return what ``threadkit/comment_page.html`` shows: a comment and a page of its replies.

    ``back`` is where the page's links return to (a same-origin path).
    """
    actor = visit.actor()
    cid = inputs.comment_id(comment_id)
    comment = state.engine.get_comment(cid, actor)
    subtree = state.engine.subtree(cid, actor, cursor=inputs.query_cursor(visit.request))
    node = TreeNode(comment, comment_depth(state, comment))
    node.children = subtree.nodes
    more_url = None
    if subtree.next_cursor:
        more_url = visit.urls.url(
            "comment_page", comment_id=str(cid), cursor=subtree.next_cursor, next=back
        )
    return {
        "comment": comment,
        "nodes": [node],
        "next_url": back,
        "more_url": more_url,
        "key": comment.thread_key,
        "reply_base": None,
        "number": 0,
        "uid": "tkp",
    }


def queue_context(state: WebState, visit: Visit) -> dict[str, Any]:
    """Return what ``threadkit/queue.html`` shows: one page of pending (or spam) comments.

    Only moderators see it (401, then 403); ``?status=spam`` shows spam, and each
    comment's reasons read as sentences in the reader's language.
    """
    require_moderator(visit)
    shown = visit.request.arg("status")
    shown = "pending" if shown is None else shown  # an empty status= is a mistake, said so
    if shown not in ("pending", "spam"):
        raise ValidationError(
            "invalid_status", 'status must be "pending" or "spam".', field="status"
        )
    rows = state.engine.queue(
        visit.actor(),
        (Status(shown),),
        limit=state.settings.queue_page_size,
        cursor=inputs.query_cursor(visit.request),
    )
    keys = [comment.thread_key for comment in rows.comments]
    return {
        "rows": rows,
        "shown": shown,
        "threads": {key: state.engine.store.get_thread(key) for key in keys},
    }


def decision(raw: str) -> Decision:
    """Return the moderation decision ``raw`` names; else a 400 saying which ones exist."""
    try:
        return Decision(raw)
    except ValueError:
        raise ValidationError(
            "invalid_decision", "Choose approve, spam, ham or delete.", field="decision"
        ) from None


def moderate_link_context(state: WebState, token: str, *, act: bool) -> dict[str, Any]:
    """Return what ``threadkit/moderate_link.html`` shows; with ``act``, apply the decision first.

    The signed token is the moderator's authority for this one comment and
    action, so the caller must pass ``act=True`` only on a POST whose CSRF
    token it has checked: GET never changes anything.
    """
    data = state.signer.loads("moderate", token, now=state.clock.now())
    raw_id, raw_action = data.get("comment_id"), data.get("action")
    if not isinstance(raw_id, int) or not isinstance(raw_action, str):
        raise ValidationError("invalid_token", "This link is not valid.")
    chosen = decision(raw_action)
    comment = state.engine.store.get_comment(raw_id)
    if comment is None:
        raise NotFoundError("comment_not_found", "That comment no longer exists.")
    if act:
        state.engine.moderate(raw_id, chosen, Actor(moderator=True))
        comment = state.engine.store.get_comment(raw_id) or comment
    return {"comment": comment, "decision": chosen, "token": token, "done": act}


def unsubscribe_context(state: WebState, token: str, *, act: bool) -> dict[str, Any]:
    """Return what ``threadkit/unsubscribe.html`` shows; with ``act``, stop the emails.

    The token names a comment (stop reply emails about it) or a thread
    subscription (stop emails about new comments on that thread).

    A mail client's RFC 8058 one-click POST carries no CSRF token, so the
    signed token is the whole authorization; stopping twice is harmless.
    """
    data = state.signer.loads("unsubscribe", token, now=state.clock.now())
    if "subscription_id" in data:
        return {"token": token, "done": act, **unsubscribe_thread(state, data, act=act)}
    raw_id = data.get("comment_id")
    if not isinstance(raw_id, int):
        raise ValidationError("invalid_token", "This link is not valid.")
    if act:
        state.engine.unsubscribe(raw_id)
    return {"token": token, "done": act}


def moderate_token(state: WebState, comment_id: int, action: str) -> str:
    """Return the signed token of a one-click link applying ``action`` to ``comment_id``.

    ``action`` is ``"approve"``, ``"spam"``, ``"ham"`` or ``"delete"``; the link
    works for ``moderate_link_ttl`` (``THREADKIT_MODERATE_LINK_TTL``).
    """
    return state.signer.dumps(
        "moderate",
        {"comment_id": comment_id, "action": action},
        now=state.clock.now(),
        ttl=state.settings.moderate_link_ttl,
    )


def unsubscribe_token(state: WebState, comment_id: int) -> str:
    """Return the signed token of a link stopping reply emails about ``comment_id``."""
    return state.signer.dumps(
        "unsubscribe",
        {"comment_id": comment_id},
        now=state.clock.now(),
        ttl=state.settings.unsubscribe_link_ttl,
    )
