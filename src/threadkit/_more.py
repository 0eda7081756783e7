"""How many comments each "N more replies" link on a cut page adds.

A store cuts a page's first top-level comment at ``total_limit``, in the
middle of its depth-first rows. :func:`~threadkit.tree.build_tree` counts the
*direct* replies each comment is missing, but a link loads the comment's
subtree (its first batch), so "1 more reply" could add 11 comments, or none.
:func:`count_after_cut` replaces those counts with what a click adds: the rows
of that first batch that are not on the page already.

:func:`count_cut_links` does it for a page the engine builds: it reads the cut
comment's rows after the page (the store's ``cut_cursor``), at most one batch;
a store without cut cursors gets the page's rows read again with them, and the
rows past the page are counted the same way. Which link reaches a row
is decided by parent ids, not depths: a reply whose parent the reader may not
see (pending, spam) is listed where that parent would be, so by depth alone it
looked like a reply to the comment before it. A store with
:class:`~threadkit.ports.SubtreeFamily` answers just ``(id, depth, parent_id)``: about half the
cost of a cut page went to fetching and building the batch's comments.

Most links are settled by the first few rows past the cut (a reply chain
closes, or a link's share of the batch is reached), so the rows past the page
are read :data:`FIRST_READ` at a time first, and the whole batch only when
that does not settle every count: on a 1M-comment thread that read was a
fifth of the first page's time. The price, when the first rows do not settle
it: a second read of ``batch`` rows (the first ones again), in a second
transaction. A read that answers fewer rows than asked is taken as the
subtree's end, as :meth:`~threadkit.ports.PageReader.subtree` promises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from .models import Comment, CommentRows, Visibility
from .ports import PageReader, SubtreeFamily
from .tree import TreeNode, walk

__all__ = ["count_after_cut", "count_cut_links"]

#: ``(id, depth, parent_id)`` of one row of a subtree batch.
Family = tuple[int, int, int | None]

#: How many rows past a cut page are read first (see the module's docstring).
FIRST_READ = 32


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
    parent_of = _parent_lookup(store)
    # The second read (the whole batch, or short of it at the subtree's end) always settles.
    for extra in dict.fromkeys((min(batch, FIRST_READ), batch)):
        after, complete = _after_cut(store, rows, visibility, extra)
        if count_after_cut(nodes, found, after, batch, parent_of, complete=complete):
            return


def _after_cut(
    store: PageReader, rows: CommentRows, visibility: Visibility, extra: int
) -> tuple[list[Family], bool]:
    """Return the first ``extra`` rows past the cut page ``rows``, and whether they are all."""
    found = rows.comments
    top = found[0].id
    if rows.cut_cursor is None and len(found) > 1:
        # A store that offers no cut cursor: read the page's rows again with the rest.
        shown = {comment.id for comment in found}
        limit = len(found) - 1 + extra
        again = _family(store, top, visibility, None, limit)
        return [row for row in again if row[0] not in shown], len(again) < limit
    after = _family(store, top, visibility, rows.cut_cursor, extra)
    return after, len(after) < extra


def _family(
    store: PageReader, top: int, visibility: Visibility, cursor: str | None, limit: int
) -> list[Family]:
    """Return ``(id, depth, parent_id)`` of a subtree batch: the store's, or its comments'."""
    # Looked up on the class: a proxy that wraps ``subtree`` and forwards the rest
    # through ``__getattr__`` (a spy, a cache) must keep seeing its reads.
    if getattr(type(store), "subtree_family", None) is not None:
        family = cast(SubtreeFamily, store)
        return family.subtree_family(top, visibility=visibility, cursor=cursor, total_limit=limit)
    rows = store.subtree(top, visibility=visibility, cursor=cursor, total_limit=limit)
    return [(comment.id, comment.depth, comment.parent_id) for comment in rows.comments]


def _parent_lookup(store: PageReader) -> Callable[[int], int | None]:
    """Return how to find a hidden comment's parent (the store's ``get_comment``)."""
    get_comment = getattr(store, "get_comment", None)

    def parent_of(comment_id: int) -> int | None:
        comment = None if get_comment is None else get_comment(comment_id)
        return None if comment is None else cast(Comment, comment).parent_id

    return parent_of


def count_after_cut(
    nodes: list[TreeNode],
    page: Sequence[Comment],
    after: Sequence[Family],
    batch: int,
    parent_of: Callable[[int], int | None] = lambda _: None,
    *,
    complete: bool = True,
) -> bool:
    """Set ``more_replies`` on a cut page's nodes to the comments each link adds.

    ``page`` are the page's rows (all below ``page[0]``, the cut top-level
    comment) and ``after`` ``(id, depth, parent_id)`` of that comment's rows
    past the page (none of them on it), depth first; ``batch`` is the size of
    the first subtree batch a link loads. The top comment always links to
    what is left, even when it misses no direct reply: a cut in a reply
    chain, or below a hidden reply, is reachable only there.

    A comment's visible descendants are consecutive rows after it, so a link
    adds rows of ``after`` only if its comment is an ancestor of ``after[0]``
    (the chain the cut went through, at most one row per depth), and then the
    ones before the first row it is no ancestor of. ``parent_of`` answers the
    parent of a comment on neither list (one the reader may not see).

    ``complete`` False says ``after`` may stop before the batch does (only
    its first rows were read). Then a count the rows read do not settle
    leaves every node as it was and answers False: read more and call again.
    Otherwise the counts are set and the answer is True.
    """
    shown = len(page) - 1  # rows on the page below the top
    top_id = page[0].id
    read_all = complete or len(after) >= batch
    # The top's count, and so far; with no row read, nothing tells which links stay open.
    settled = read_all or (bool(after) and shown + len(after) >= batch)
    added: dict[int, int] = {}
    if after:
        parents = {comment.id: comment.parent_id for comment in page}
        index_of = {comment.id: index for index, comment in enumerate(page)}

        def parent(comment_id: int) -> int | None:
            if comment_id not in parents:
                parents[comment_id] = parent_of(comment_id)
            return parents[comment_id]

        # The chain, deepest first: the page's ancestors of the first row past it.
        chain: list[Comment] = []
        up = after[0][2]
        while up is not None and up != top_id:
            if up in index_of:
                chain.append(page[index_of[up]])
            up = parent(up)
        # below[i]: the depth of after[i]'s deepest ancestor in the chain (-1: none).
        on_chain = {comment.id: comment.depth for comment in chain}
        below: dict[int, int] = {}
        ends = [min(len(after), batch)] * len(chain)
        closed = 0
        for index, (row_id, _, row_parent) in enumerate(after[:batch]):
            depth = _chain_depth(row_parent, on_chain, below, parent, top_id)
            below[row_id] = depth
            while closed < len(chain) and chain[closed].depth > depth:
                ends[closed] = index
                closed += 1
            if closed == len(chain):
                break
        for position, (comment, end) in enumerate(zip(chain, ends, strict=True)):
            share = batch - (shown - index_of[comment.id])  # the batch's room past the page
            # A link still open where the rows read stop is exact only at its share.
            settled = settled and (read_all or position < closed or len(after) >= share)
            added[comment.id] = max(0, min(end, share))
    if not settled:
        return False
    for node in walk(nodes):
        comment_id = node.comment.id
        if comment_id == top_id:
            node.more_replies = max(0, min(batch, shown + len(after)) - shown)
        elif node.more_replies:
            node.more_replies = added.get(comment_id, 0)
    return True


def _chain_depth(
    start: int | None,
    on_chain: dict[int, int],
    below: dict[int, int],
    parent: Callable[[int], int | None],
    top_id: int,
) -> int:
    """Return the depth of the deepest chain comment at or above ``start`` (-1: none)."""
    up = start
    while up is not None and up != top_id:
        if up in on_chain:
            return on_chain[up]
        if up in below:
            return below[up]
        up = parent(up)
    return -1
