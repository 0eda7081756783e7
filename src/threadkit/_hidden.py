"""Placeholders for hidden comments that hold the place of visible replies.

A pending or spam comment may have approved replies (it was approved when
they were written, then held or marked as spam). Those replies count in
``Thread.comment_count``, so a reader must be able to reach them: stores list
such a hidden top-level comment first in its block, and the engine shows it to
a reader who may not see it as a placeholder, exactly like a deleted comment:
no author, body, votes, reasons or request data.
"""

from __future__ import annotations

import operator

import attrs

from .models import DELETED_AUTHOR, Comment, RequestContext, Status, Visibility

__all__ = ["mask_hidden", "placeholder_of"]

# A page of statuses every reader sees needs no check per row.
_SEEN_BY_ALL = Visibility.SEEN_BY_ALL
_status = operator.attrgetter("status")


def placeholder_of(comment: Comment) -> Comment:
    """Return ``comment`` as a reader who may not see it gets it: a deleted placeholder.

    Ids, position, time and ``reply_count`` stay (the tree needs them);
    everything about the author and the text goes.
    """
    return attrs.evolve(
        comment,
        author=DELETED_AUTHOR,
        body_source="",
        body_html="",
        status=Status.DELETED,
        edited_at=None,
        upvotes=0,
        downvotes=0,
        reasons=(),
        context=RequestContext(),
        notify_replies=False,
    )


def mask_hidden(rows: list[Comment], visibility: Visibility) -> list[Comment]:
    """Return ``rows`` with every row ``visibility`` may not see turned into a placeholder.

    Returns the same list when nothing needs masking (the common case).
    """
    if _SEEN_BY_ALL.issuperset(map(_status, rows)) or all(map(visibility.can_see, rows)):
        return rows
    return [row if visibility.can_see(row) else placeholder_of(row) for row in rows]
