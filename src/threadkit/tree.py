"""Turning the flat rows of one page into ordered, nested nodes.

:func:`build_tree` is the hot path of every page view: one O(n) pass over the
rows a :class:`~threadkit.ports.CommentStore` returned, with no recursion (a
reply chain 10,000 deep builds, walks and counts like a flat list) and the
cyclic garbage collector paused while it allocates. :func:`walk` and
:func:`count_nodes` traverse the result, iteratively too.

The rules, in the order they apply:

* **Placement.** A row goes under the row it answers (``parent_id``). Rows
  whose ``parent_id`` is ``under`` (``None`` for a page) are the top entries.
  An orphan (a row whose parent is not among the rows) goes under its
  top-level ancestor (``root_id``) when that row is present, else it becomes
  a top entry. Every row appears exactly once.
* **Order.** ``sort`` orders the top entries, ``reply_sort`` the replies at
  every level below: :attr:`~threadkit.models.SortOrder.OLDEST` by id
  ascending, ``NEWEST`` by id descending, ``TOP`` by score descending then id.
* **Depth.** Top entries are at display depth ``base_depth``; each level of
  replies adds one. No node is shown deeper than ``max_depth`` (``None``: no
  limit). A reply that would be deeper follows ``overflow``:

  - :attr:`Overflow.FLATTEN` (WordPress): it is shown at depth ``max_depth``,
    next to its ancestor at that depth: the ancestor's whole subtree follows
    it as siblings, in depth-first order.
  - :attr:`Overflow.TOP_LEVEL` (Isso): it becomes a direct reply of its
    top-level ancestor, at depth 1, placed right after that ancestor's reply
    it descends from (after the nested replies shown there), in depth-first
    order, so a reply never shows above what it answers. In a subtree build
    (``base_depth`` >= 1) the top-level ancestor is not among the rows, so
    such replies follow the top entry they descend from, at ``base_depth``.
    With ``max_depth`` 0 or 1 it shows the same as ``FLATTEN``.

  ``base_depth`` above ``max_depth`` counts as ``max_depth``.
* **More replies.** ``TreeNode.more_replies`` is the comment's
  ``reply_count`` minus its direct replies among the rows, never negative:
  how many replies a "N more replies" link would fetch.

Rows may come in any order. Rows in depth-first order (each row followed by
its descendants, siblings oldest first, as a store that sorts by a path
column returns them) build in a single streaming pass with a stack of
ancestors. Other orders use one grouped pass that places each row under its
already-placed parent and holds back the few rows that arrive before their
parent; that suits a store's page (top-level comments, each followed by its
descendants in creation order). Rows in random order are sorted by id first,
since a reply is younger than its parent. Comment ids are expected to be
unique.

>>> from datetime import UTC, datetime
>>> from threadkit.models import Comment, Identity, Status
>>> ada = Identity("anonymous", "a1", "Ada")
>>> def row(id: int, parent: int | None, root: int, depth: int) -> Comment:
...     moment = datetime(2024, 1, 1, tzinfo=UTC)
...     return Comment(id, "t", parent, root, depth, ada, "hi", "<p>hi</p>",
...                    Status.APPROVED, moment)
>>> nodes = build_tree([row(1, None, 1, 0), row(2, 1, 1, 1), row(3, 2, 1, 2)], max_depth=1)
>>> [(node.comment.id, node.depth) for node in walk(nodes)]
[(1, 0), (2, 1), (3, 1)]
"""

from __future__ import annotations

import enum
import itertools
import operator
import sys
from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter

import msgspec

from ._gc import pause_gc, resume_gc
from .models import Comment, SortOrder

__all__ = ["Overflow", "TreeNode", "build_tree", "count_nodes", "display_depth", "walk"]


class Overflow(enum.Enum):
    """What to do with replies nested deeper than the display depth limit."""

    #: Show them at the deepest allowed level, right after their ancestor at
    #: that level, under their nearest shown ancestor (WordPress).
    FLATTEN = "flatten"
    #: Show them as direct replies of their top-level ancestor, right after the
    #: reply they descend from (Isso).
    TOP_LEVEL = "top_level"


def display_depth(depth: int, max_depth: int | None, overflow: Overflow) -> int:
    """Return where a comment at storage ``depth`` is shown under a depth limit.

    The same rule :func:`build_tree` applies: within the limit a comment keeps
    its depth; deeper ones show at the limit (``FLATTEN``) or as replies of
    their top-level ancestor, at depth 1 (``TOP_LEVEL``).

    >>> display_depth(7, 5, Overflow.FLATTEN), display_depth(7, 5, Overflow.TOP_LEVEL)
    (5, 1)
    """
    if max_depth is None or depth <= max_depth:
        return depth
    return max_depth if overflow is Overflow.FLATTEN else min(1, max_depth)


class TreeNode(msgspec.Struct, gc=False, eq=False):
    """One comment in a built tree: ``TreeNode(comment, depth=0, children=[], more_replies=0)``.

    ``children`` are the replies shown under it, in display order;
    ``more_replies`` counts direct replies that exist but are not on this page
    (the caller can fetch them with the engine's ``subtree``); ``depth`` is the
    display depth (0 at top level), which can differ from ``comment.depth``
    when a depth limit applies. Nodes compare by identity.

    A page builds one node per comment, so nodes are cheap msgspec Structs
    that the cyclic garbage collector does not track (a collection after a
    big build would walk them all). A tree has no cycles: never make a node
    its own descendant (such a cycle would never be freed).
    """

    comment: Comment
    depth: int = 0
    children: list[TreeNode] = msgspec.field(default_factory=list)
    more_replies: int = 0

    def __repr__(self) -> str:
        return (
            f"TreeNode(id={self.comment.id}, depth={self.depth}, "
            f"children={len(self.children)}, more_replies={self.more_replies})"
        )


_NO_LIMIT = sys.maxsize
_by_id = attrgetter("comment.id")
_row_id = attrgetter("id")
_SAMPLE = 2048  # rows looked at to tell random order from a store's order


def _by_top(node: TreeNode) -> tuple[int, int]:
    """Sort key of ``SortOrder.TOP``: highest score first, then oldest."""
    comment = node.comment
    return (comment.downvotes - comment.upvotes, comment.id)


def _sort_nodes(nodes: list[TreeNode], order: SortOrder) -> None:
    """Sort ``nodes`` in place by ``order``."""
    if order is SortOrder.OLDEST:
        nodes.sort(key=_by_id)
    elif order is SortOrder.NEWEST:
        nodes.sort(key=_by_id, reverse=True)
    else:
        nodes.sort(key=_by_top)


def build_tree(
    rows: Iterable[Comment],
    *,
    sort: SortOrder = SortOrder.OLDEST,
    reply_sort: SortOrder = SortOrder.OLDEST,
    max_depth: int | None = 5,
    overflow: Overflow = Overflow.FLATTEN,
    under: int | None = None,
    base_depth: int = 0,
) -> list[TreeNode]:
    """Build the comments of one page into ordered nodes; return the top entries.

    See the module docstring for the rules. ``under`` builds the replies
    below that comment (a "more replies" page) starting at display depth
    ``base_depth``; the rows must not include that comment itself. Raises
    ``ValueError`` for a negative ``max_depth`` or ``base_depth``, or when the
    rows include the ``under`` comment.
    """
    if max_depth is not None and max_depth < 0:
        raise ValueError(f"max_depth must be None or >= 0, got {max_depth}")
    if base_depth < 0:
        raise ValueError(f"base_depth must be >= 0, got {base_depth}")
    items = rows if isinstance(rows, list) else list(rows)
    if under is not None and any(comment.id == under for comment in items):
        raise ValueError(f"rows include comment {under}, the one given as under=")
    pause_gc()  # a build allocates millions of objects and frees no cycles
    try:
        options = (sort, reply_sort, max_depth, overflow, under, base_depth)
        if reply_sort is SortOrder.OLDEST:
            nodes = _Builder(*options).stream(items)
            if nodes is not None:
                return nodes
        if _scrambled(items):
            # Sorting by id (parents are older than their replies) costs less
            # than holding back the half of the rows that come before their parent.
            items = sorted(items, key=_row_id)
        return _Builder(*options).grouped(items)
    finally:
        resume_gc()


def _scrambled(rows: Sequence[Comment]) -> bool:
    """Tell whether rows look randomly ordered (a sample goes down in id often)."""
    ids: list[int] = list(map(_row_id, rows[:_SAMPLE]))
    descents: int = sum(map(operator.gt, ids, itertools.islice(ids, 1, None)))
    return descents * 5 > len(ids)


def walk(nodes: Iterable[TreeNode]) -> Iterator[TreeNode]:
    """Yield every node of ``nodes`` and their descendants in display (pre-)order."""
    stack = list(nodes)
    stack.reverse()
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        yield node
        if node.children:
            extend(reversed(node.children))


def count_nodes(nodes: Iterable[TreeNode]) -> int:
    """Return how many nodes ``nodes`` hold, descendants included."""
    level = list(nodes)
    total = 0
    while level:
        total += len(level)
        level = [child for node in level if node.children for child in node.children]
    return total


def _descendants(anchor: TreeNode, depth: int) -> list[TreeNode]:
    """Detach ``anchor``'s descendants; return them in pre-order, flat, at ``depth``."""
    found: list[TreeNode] = []
    stack = anchor.children[::-1]
    anchor.children = []
    while stack:
        node = stack.pop()
        found.append(node)
        node.depth = depth
        if node.children:
            stack.extend(reversed(node.children))
            node.children = []
    return found


class _Builder:
    """The state of one :func:`build_tree` call."""

    def __init__(
        self,
        sort: SortOrder,
        reply_sort: SortOrder,
        max_depth: int | None,
        overflow: Overflow,
        under: int | None,
        base_depth: int,
    ) -> None:
        self.sort = sort
        self.reply_sort = reply_sort
        self.limit = _NO_LIMIT if max_depth is None else max_depth
        self.base = min(base_depth, self.limit)
        self.flatten = overflow is Overflow.FLATTEN or self.limit == 0
        self.top = under
        self.tops: list[TreeNode] = []
        # Parents whose children arrived out of order (keyed by id(node)).
        self.dirty: dict[int, TreeNode] = {}
        # FLATTEN: top entries at depth max_depth and the nodes that follow them.
        self.top_followers: dict[int, list[TreeNode]] = {}
        # The grouped pass keeps natural depths below the limit, then moves
        # them: ``anchors`` are nodes at depth max_depth that have replies,
        # ``holders`` the parent of every node placed at depth max_depth.
        self.anchors: list[TreeNode] = []
        self.holders: dict[int, TreeNode] = {}
        self.placed: dict[int, TreeNode] = {}
        self.waiting: dict[int | None, list[Comment]] = {}

    # ------------------------------------------------------------ streaming

    def stream(self, rows: Sequence[Comment]) -> list[TreeNode] | None:
        """Build from depth-first rows in one pass; ``None`` if they are not.

        A row's ``depth`` (relative to the first row's) says where its parent
        sits on the stack of ancestors; the parent's id confirms it, so rows
        with inconsistent depths fall back to :meth:`grouped` too.
        """
        if not rows:
            return []
        limit, base, top, flatten = self.limit, self.base, self.top, self.flatten
        follow_at = limit - 1 - base  # FLATTEN: stack index of the followers' parent
        # stack[:size]: the current row's ancestors, top entry first, then the row
        # itself; entries past ``size`` are stale (overwritten, never read).
        stack: list[TreeNode] = []
        size = 0
        first_depth = rows[0].depth
        node_type = TreeNode
        for comment in rows:
            level = comment.depth - first_depth
            if level > 0:
                if level >= size:
                    if level > size:
                        return None
                elif stack[level].comment.id > comment.id:
                    return None  # siblings not oldest first
                parent = stack[level - 1]
                if parent.comment.id != comment.parent_id:
                    return None  # not depth-first (or an orphan)
                depth = base + level
                node = node_type(comment, depth, [], comment.reply_count)
                if parent.more_replies:
                    parent.more_replies -= 1
                if depth <= limit:
                    parent.children.append(node)
                elif flatten:
                    node.depth = limit
                    if follow_at >= 0:
                        stack[follow_at].children.append(node)
                    else:
                        self.top_followers.setdefault(id(stack[0]), []).append(node)
                elif base == 0:  # TOP_LEVEL: after the top-level reply it descends from
                    node.depth = 1
                    stack[0].children.append(node)
                else:  # TOP_LEVEL in a subtree build: after its top entry
                    node.depth = base
                    self.top_followers.setdefault(id(stack[0]), []).append(node)
            elif level == 0 and comment.parent_id == top:
                node = self.add_top(comment)
            else:
                return None
            try:
                stack[level] = node
            except IndexError:  # deeper than any row before: level == len(stack)
                stack.append(node)
            size = level + 1
        return self.finish_tops()

    # ------------------------------------------------------------ any order

    def grouped(self, rows: Sequence[Comment]) -> list[TreeNode]:
        """Build from rows in any order."""
        top, limit = self.top, self.limit
        dirty, placed, waiting = self.dirty, self.placed, self.waiting
        get = placed.get
        node_type = TreeNode
        for comment in rows:
            parent = get(comment.parent_id)  # type: ignore[arg-type]  # None is never a key
            if parent is not None:
                # The same steps as ``attach``, inlined: this loop is the hot path.
                depth = parent.depth + 1
                node = node_type(comment, depth, [], comment.reply_count)
                if depth >= limit:
                    self.note_deep(node, parent, depth)
                children = parent.children
                if children and children[-1].comment.id > comment.id:
                    dirty[id(parent)] = parent
                children.append(node)
                if parent.more_replies:
                    parent.more_replies -= 1
            elif comment.parent_id == top:
                node = self.add_top(comment)
            else:
                waiting.setdefault(comment.parent_id, []).append(comment)
                continue
            cid = comment.id
            placed[cid] = node
            if waiting and cid in waiting:
                self.release(node)
        if waiting:
            self.place_orphans(rows)
        self.sort_replies()
        self.move_overflow()
        return self.finish_tops()

    def attach(self, comment: Comment, parent: TreeNode, *, direct: bool) -> TreeNode:
        """Place ``comment`` under ``parent`` (a direct reply or an adopted orphan)."""
        depth = parent.depth + 1
        node = TreeNode(comment, depth, [], comment.reply_count)
        if depth >= self.limit:
            self.note_deep(node, parent, depth)
        children = parent.children
        if children and children[-1].comment.id > comment.id:
            self.dirty[id(parent)] = parent
        children.append(node)
        if direct and parent.more_replies:
            parent.more_replies -= 1
        self.placed[comment.id] = node
        return node

    def add_top(self, comment: Comment) -> TreeNode:
        """Make ``comment`` a top entry."""
        node = TreeNode(comment, self.base, [], comment.reply_count)
        self.tops.append(node)
        self.placed[comment.id] = node
        return node

    def note_deep(self, node: TreeNode, parent: TreeNode, depth: int) -> None:
        """Remember what ``move_overflow`` needs about a node at or past the limit."""
        if depth == self.limit:
            self.holders[id(node)] = parent
        elif depth == self.limit + 1 and not parent.children:
            self.anchors.append(parent)

    def release(self, node: TreeNode) -> None:
        """Place the rows that were waiting for ``node``, and theirs, and so on.

        The same steps as ``attach``, inlined: with rows in random order about
        half of them come through here.
        """
        waiting, placed, dirty, limit = self.waiting, self.placed, self.dirty, self.limit
        stack = [node]
        while stack:
            parent = stack.pop()
            group = waiting.pop(parent.comment.id, None)
            if group is None:
                continue
            depth = parent.depth + 1
            children = parent.children
            for comment in group:
                cid = comment.id
                child = TreeNode(comment, depth, [], comment.reply_count)
                if depth >= limit:
                    self.note_deep(child, parent, depth)
                if children and children[-1].comment.id > cid:
                    dirty[id(parent)] = parent
                children.append(child)
                if parent.more_replies:
                    parent.more_replies -= 1
                placed[cid] = child
                if cid in waiting:
                    stack.append(child)

    def place_orphans(self, rows: Sequence[Comment]) -> None:
        """Place rows whose parent is absent, then break any parent cycle."""
        waiting, placed = self.waiting, self.placed
        present = set(placed)
        present.update(c.id for group in waiting.values() for c in group)
        deferred: list[Comment] = []  # orphans whose root is here but not placed yet
        for pid in list(waiting):
            if pid in present:
                continue  # the parent is here, just not placed yet
            for comment in waiting.pop(pid):
                root = comment.root_id
                if root == comment.id or root not in present:
                    self.release(self.add_top(comment))
                else:
                    deferred.append(comment)
        unplaced: list[Comment] | None = None
        next_row = 0
        while True:
            progress = True
            while deferred and progress:
                progress = False
                later = []
                for comment in deferred:
                    root_node = placed.get(comment.root_id)
                    if root_node is None:
                        later.append(comment)
                    else:
                        self.release(self.attach(comment, root_node, direct=False))
                        progress = True
                deferred = later
            if not deferred and not any(waiting.values()):
                break
            # Only a parent cycle is left: its oldest row goes on top.
            if unplaced is None:
                unplaced = sorted((c for c in rows if c.id not in placed), key=_row_id)
            while unplaced[next_row].id in placed:
                next_row += 1
            comment = unplaced[next_row]
            if any(c is comment for c in deferred):
                deferred = [c for c in deferred if c is not comment]
            else:
                waiting[comment.parent_id].remove(comment)
            self.release(self.add_top(comment))
        waiting.clear()

    def sort_replies(self) -> None:
        """Put every list of replies in ``reply_sort`` order."""
        if self.reply_sort is SortOrder.OLDEST:
            for node in self.dirty.values():
                node.children.sort(key=_by_id)
        else:
            for node in self.placed.values():
                if len(node.children) > 1:
                    _sort_nodes(node.children, self.reply_sort)

    def move_overflow(self) -> None:
        """Move replies deeper than the limit where ``overflow`` shows them."""
        if not self.anchors:
            return
        limit = self.limit
        if self.flatten:
            followers: dict[int, list[TreeNode]] = {}
            holders: dict[int, TreeNode] = {}
            for anchor in self.anchors:
                found = _descendants(anchor, limit)
                holder = self.holders.get(id(anchor))
                if holder is None:
                    self.top_followers[id(anchor)] = found
                else:
                    followers[id(anchor)] = found
                    holders[id(holder)] = holder
            for holder in holders.values():
                holder.children = _spliced(holder.children, followers)
        else:
            anchors = {id(anchor) for anchor in self.anchors}
            for entry in self.tops:
                if self.base:
                    found = self.lifted(entry, anchors, self.base)
                    if found:
                        self.top_followers[id(entry)] = found
                    continue
                replies: list[TreeNode] = []
                for reply in entry.children:
                    replies.append(reply)
                    replies.extend(self.lifted(reply, anchors, 1))
                entry.children = replies

    def lifted(self, node: TreeNode, anchors: set[int], depth: int) -> list[TreeNode]:
        """TOP_LEVEL: detach the replies past the limit below ``node``, in pre-order."""
        found: list[TreeNode] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in anchors:
                found.extend(_descendants(current, depth))
            elif current.depth < self.limit and current.children:
                stack.extend(reversed(current.children))
        return found

    def finish_tops(self) -> list[TreeNode]:
        """Sort the top entries and put the followers of each right after it."""
        tops = self.tops
        _sort_nodes(tops, self.sort)
        if self.top_followers:
            return _spliced(tops, self.top_followers)
        return tops


def _spliced(nodes: list[TreeNode], followers: dict[int, list[TreeNode]]) -> list[TreeNode]:
    """Return ``nodes`` with each one's followers (keyed by ``id(node)``) right after it."""
    result: list[TreeNode] = []
    for node in nodes:
        result.append(node)
        extra = followers.get(id(node))
        if extra:
            result.extend(extra)
    return result
