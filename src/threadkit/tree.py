"""Turning the flat rows of one page into ordered, nested nodes.

(Skeleton: the builder is being written; ``TreeNode`` is the agreed shape.)
"""

from __future__ import annotations

import enum

from .models import Comment

__all__ = ["Overflow", "TreeNode"]


class Overflow(enum.Enum):
    """What to do with replies nested deeper than the display depth limit."""

    #: Show them at the deepest allowed level, under their nearest shown ancestor (WordPress).
    FLATTEN = "flatten"
    #: Show them as new top-level entries (Isso).
    TOP_LEVEL = "top_level"


class TreeNode:
    """One comment in a built tree.

    ``children`` are the replies shown under it, in display order;
    ``more_replies`` counts direct replies that exist but are not on this page
    (the caller can fetch them with the engine's ``subtree``); ``depth`` is the
    display depth (0 at top level), which can differ from ``comment.depth``
    when a depth limit applies.
    """

    __slots__ = ("children", "comment", "depth", "more_replies")

    def __init__(self, comment: Comment, depth: int = 0) -> None:
        self.comment = comment
        self.children: list[TreeNode] = []
        self.more_replies = 0
        self.depth = depth

    def __repr__(self) -> str:
        return (
            f"TreeNode(id={self.comment.id}, depth={self.depth}, "
            f"children={len(self.children)}, more_replies={self.more_replies})"
        )
