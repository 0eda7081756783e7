"""The HTML pages' cores: what a comment page shows, and which comment a reader may change.

An adapter's HTML routes check CSRF, read the form and answer with their own
responses; what they decide and render is here, so every adapter refuses the
same edits with the same errors and builds the same page context.
"""

from __future__ import annotations

from typing import Any

from threadkit.errors import ConflictError, PermissionDeniedError, ValidationError
from threadkit.models import Comment, Reason, Status
from threadkit.tree import TreeNode, display_depth

from . import i18n, inputs
from .context import require_moderator, viewer_of
from .reasons import reason_sentence
from .request import Visit
from .state import WebState

__all__ = ["changeable", "comment_depth", "comment_page_context", "queue_context"]


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
    catalog = i18n.translations(visit.language())
    keys = [comment.thread_key for comment in rows.comments]

    def reason_text(reason: Reason) -> str:
        return reason_sentence(reason, catalog.gettext)

    return {
        "rows": rows,
        "shown": shown,
        "threads": {key: state.engine.store.get_thread(key) for key in keys},
        "reason_text": reason_text,
    }
