"""How many comments each "N more replies" link on a cut page adds.

A store cuts a page's first top-level comment at ``total_limit``, in the
middle of its depth-first rows. :func:`~threadkit.tree.build_tree` counts the
*direct* replies each comment is missing, but a link loads the comment's
subtree (its first batch), so "1 more reply" could add 11 comments, or none.
:func:`count_added` replaces those counts with what a click adds: the rows of
that first batch that are not on the page already.
"""

from __future__ import annotations

from collections.abc import Sequence

from .models import Comment
from .tree import TreeNode, walk

__all__ = ["count_added"]


def count_added(
    nodes: list[TreeNode], page: Sequence[Comment], rest: Sequence[Comment], batch: int
) -> None:
    """Set ``more_replies`` on a cut page's nodes to the comments each link adds.

    ``page`` are the page's rows (all below ``page[0]``, the cut top-level
    comment); ``rest`` is that comment's subtree as the store lists it,
    depth first, holding at least the page's rows plus ``batch`` more;
    ``batch`` is the size of the first subtree batch a link loads. The top
    comment always links to what is left, even when it misses no direct reply:
    a cut in a reply chain, or below a hidden reply, is reachable only there.
    """
    shown = {comment.id for comment in page}
    top_id = page[0].id
    position = {comment.id: index for index, comment in enumerate(rest)}
    top: TreeNode | None = None
    for node in walk(nodes):
        comment = node.comment
        if comment.id == top_id:
            top = node
        elif node.more_replies:
            start = position.get(comment.id)
            node.more_replies = 0 if start is None else _new_below(rest, start, shown, batch)
    if top is not None:
        top.more_replies = sum(1 for comment in rest[:batch] if comment.id not in shown)


def _new_below(rest: Sequence[Comment], start: int, shown: set[int], batch: int) -> int:
    """Count the rows of ``rest[start]``'s first subtree batch that are not ``shown``."""
    depth = rest[start].depth
    added = 0
    for comment in rest[start + 1 : start + 1 + batch]:
        if comment.depth <= depth:
            break
        added += comment.id not in shown
    return added
