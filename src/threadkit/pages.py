"""What the engine hands back for reading: a page of a thread, or one subtree."""

from __future__ import annotations

import attrs

from .models import Comment, SortOrder, Thread
from .tree import TreeNode

__all__ = ["SubtreePage", "ThreadPage"]


@attrs.frozen
class ThreadPage:
    """One page of a thread, built into a tree.

    ``nodes`` are the top-level entries in display order; ``next_cursor``
    fetches the next page (``None`` on the last one). ``thread`` carries the
    exact counts (``comment_count`` approved comments in the whole thread).
    """

    thread: Thread
    nodes: list[TreeNode]
    sort: SortOrder
    next_cursor: str | None = None


@attrs.frozen
class SubtreePage:
    """Replies under one comment ("N more replies"), built into a tree.

    ``nodes`` are the direct replies to ``parent`` (with their own replies
    nested); ``next_cursor`` continues the same subtree.
    """

    parent: Comment
    nodes: list[TreeNode]
    next_cursor: str | None = None
