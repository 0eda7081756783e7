"""How many comments each "N more replies" link on a cut page adds.

A store cuts a page's first top-level comment at ``total_limit``, in the
middle of its depth-first rows. :func:`~threadkit.tree.build_tree` counts the
*direct* replies each comment is missing, but a link loads the comment's
subtree (its first batch), so "1 more reply" could add 11 comments, or none.
:func:`count_added` replaces those counts with what a click adds: the rows of
that first batch that are not on the page already.

:func:`count_cut_links` does it for a page the engine builds: it reads the cut
comment's rows after the page (the store's ``cut_cursor``), one batch, and no
more; a store without cut cursors gets the page's rows read again with them.
Only the rows' ids and depths matter (a placeholder keeps both), so a store
with :class:`~threadkit.ports.SubtreeOutline` answers just those: about half
the cost of a page, on a cut one, went to fetching and building the batch.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import cast

from .models import Comment, CommentRows, Visibility
from .ports import PageReader, SubtreeOutline
from .tree import TreeNode, walk

__all__ = ["count_added", "count_after_cut", "count_cut_links"]


def count_cut_links(
    store: PageReader, nodes: list[TreeNode], rows: CommentRows, visibility: Visibility, batch: int
) -> None:
    """Set exact link counts on a page whose first top-level comment was cut; else do nothing.

    ``rows`` is the store's page for ``visibility`` at ``total_limit`` ``batch``
    and ``nodes`` its tree. Links load subtree batches of the page's size (the
    HTML pages and the embed read pages and replies with the same total_limit).
    """
    found = rows.comments
    if len(found) != batch or found[-1].root_id != found[0].id:
        return  # the page ends between top-level comments: nothing was cut
    top = found[0].id
    if rows.cut_cursor is None and len(found) > 1:
        # A store that offers no cut cursor: read the page's rows again with the rest.
        subtree = _outline(store, top, visibility, None, len(found) - 1 + batch)
        count_added(nodes, found, subtree, batch)
    else:
        after = _outline(store, top, visibility, rows.cut_cursor, batch)
        count_after_cut(nodes, found, after, batch)


def _outline(
    store: PageReader, top: int, visibility: Visibility, cursor: str | None, limit: int
) -> list[tuple[int, int]]:
    """Return ``(id, depth)`` of a subtree batch: the store's outline, or its comments'."""
    # Looked up on the class: a proxy that wraps ``subtree`` and forwards the rest
    # through ``__getattr__`` (a spy, a cache) must keep seeing its reads.
    if getattr(type(store), "subtree_outline", None) is not None:
        outliner = cast(SubtreeOutline, store)
        return outliner.subtree_outline(
            top, visibility=visibility, cursor=cursor, total_limit=limit
        )
    rows = store.subtree(top, visibility=visibility, cursor=cursor, total_limit=limit)
    return [(comment.id, comment.depth) for comment in rows.comments]


def count_added(
    nodes: list[TreeNode], page: Sequence[Comment], rest: Sequence[tuple[int, int]], batch: int
) -> None:
    """Set ``more_replies`` on a cut page's nodes to the comments each link adds.

    ``page`` are the page's rows (all below ``page[0]``, the cut top-level
    comment); ``rest`` is ``(id, depth)`` of that comment's subtree as the
    store lists it, depth first, holding at least the page's rows plus
    ``batch`` more;
    ``batch`` is the size of the first subtree batch a link loads. The top
    comment always links to what is left, even when it misses no direct reply:
    a cut in a reply chain, or below a hidden reply, is reachable only there.
    """
    shown = {comment.id for comment in page}
    top_id = page[0].id
    position = {row[0]: index for index, row in enumerate(rest)}
    # new_before[i]: how many of rest[:i] are not on the page; with each row's
    # subtree end, any link's count is one subtraction (a spine can be 1,000 deep).
    new_before = list(itertools.accumulate((row[0] not in shown for row in rest), initial=0))
    ends = _subtree_ends(rest)
    for node in walk(nodes):
        comment = node.comment
        if comment.id == top_id:
            node.more_replies = new_before[min(batch, len(rest))]
        elif node.more_replies:
            start = position.get(comment.id)
            if start is None:
                node.more_replies = 0
            else:
                stop = min(ends[start], start + 1 + batch)
                node.more_replies = new_before[stop] - new_before[start + 1]


def count_after_cut(
    nodes: list[TreeNode], page: Sequence[Comment], after: Sequence[tuple[int, int]], batch: int
) -> None:
    """Set the same counts as :func:`count_added` with ``rest`` the page's rows then ``after``.

    ``after`` is ``(id, depth)`` of the cut comment's rows past the page (none
    of them on it), depth first. Every row of ``rest`` before ``after`` is
    shown, so a link adds only rows of ``after``, and only a row whose
    subtree runs past the page's end (the chain the cut went through, at most
    one row per depth) can reach them: the work is the chain and the part of
    ``after`` below it, not three passes over both lists (a third of a cut
    page's count).
    """
    shown = len(page) - 1  # rest[:shown] is page[1:]
    chain: list[tuple[int, int, int]] = []  # (id, position in rest, depth), deepest first
    shallowest = None
    for index in range(shown, 0, -1):
        depth = page[index].depth
        if shallowest is None or depth < shallowest:  # deeper than every row after it
            chain.append((page[index].id, index - 1, depth))
            shallowest = depth
    ends = [shown + len(after)] * len(chain)
    closed = 0
    for index, (_, depth) in enumerate(after):
        while closed < len(chain) and chain[closed][2] >= depth:
            ends[closed] = shown + index
            closed += 1
        if closed == len(chain):
            break
    added = {
        comment_id: max(0, min(end, start + 1 + batch) - shown)
        for (comment_id, start, _), end in zip(chain, ends, strict=True)
    }
    top_id = page[0].id
    for node in walk(nodes):
        comment_id = node.comment.id
        if comment_id == top_id:
            node.more_replies = max(0, min(batch, shown + len(after)) - shown)
        elif node.more_replies:
            node.more_replies = added.get(comment_id, 0)


def _subtree_ends(rows: Sequence[tuple[int, int]]) -> list[int]:
    """Return, for each depth-first ``(id, depth)`` row, the index just past its descendants."""
    ends = [len(rows)] * len(rows)
    open_rows: list[tuple[int, int]] = []  # (depth, index) not ended yet, deepest last
    for index, (_, depth) in enumerate(rows):
        while open_rows and open_rows[-1][0] >= depth:
            ends[open_rows.pop()[1]] = index
        open_rows.append((depth, index))
    return ends
