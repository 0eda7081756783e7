"""Property tests for threadkit.tree on random forests from threadkit.testing.strategies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadkit.models import Comment, SortOrder, Status
from threadkit.testing.generate import depth_first
from threadkit.testing.strategies import comment_forests
from threadkit.tree import Overflow, TreeNode, build_tree, count_nodes, walk

COUNTED = (Status.APPROVED, Status.DELETED)

# Shape of a built tree: (id, depth, more_replies, child ids) per node, in display order.
Shape = list[tuple[int, int, int, tuple[int, ...]]]


@attrs.frozen
class Case:
    """One build_tree call: the rows, the full forest they came from, the options."""

    rows: list[Comment]
    forest: list[Comment]
    sort: SortOrder
    reply_sort: SortOrder
    max_depth: int | None
    overflow: Overflow
    under: int | None
    base_depth: int

    def build(self, rows: Sequence[Comment] | None = None) -> list[TreeNode]:
        """Run build_tree on this case (on ``rows`` instead, if given)."""
        return build_tree(
            self.rows if rows is None else rows,
            sort=self.sort,
            reply_sort=self.reply_sort,
            max_depth=self.max_depth,
            overflow=self.overflow,
            under=self.under,
            base_depth=self.base_depth,
        )


def key_of(order: SortOrder) -> Any:
    """Return a sort key on comments for ``order``."""
    if order is SortOrder.OLDEST:
        return lambda c: c.id
    if order is SortOrder.NEWEST:
        return lambda c: -c.id
    return lambda c: (-c.score, c.id)


def descendants(forest: Sequence[Comment], ancestor: int) -> list[Comment]:
    """Return the rows below ``ancestor`` in ``forest`` (ids increase with creation)."""
    inside = {ancestor}
    found = []
    for row in forest:
        if row.parent_id in inside:
            inside.add(row.id)
            found.append(row)
    return found


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Draw a forest, maybe a subtree of it, maybe with rows missing, in some order."""
    forest = draw(
        comment_forests(
            max_size=30, chains=draw(st.booleans()), hidden_replies=draw(st.booleans()), rich=False
        )
    )
    under: int | None = None
    base_depth = 0
    rows = forest
    if forest and draw(st.booleans()):
        parent = draw(st.sampled_from(forest))
        under = parent.id
        rows = descendants(forest, under)
        base_depth = draw(st.integers(0, 7))
    if draw(st.booleans()):
        keep = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
        rows = [row for row, kept in zip(rows, keep, strict=True) if kept]
    order = draw(st.sampled_from(["id", "path", "shuffled", "reversed"]))
    if order == "path":
        rows = depth_first(rows)
    elif order == "shuffled":
        rows = draw(st.permutations(rows))
    elif order == "reversed":
        rows = rows[::-1]
    return Case(
        rows=list(rows),
        forest=forest,
        sort=draw(st.sampled_from(SortOrder)),
        reply_sort=draw(st.sampled_from(SortOrder)),
        max_depth=draw(st.none() | st.integers(0, 6)),
        overflow=draw(st.sampled_from(Overflow)),
        under=under,
        base_depth=base_depth,
    )


def shape(nodes: Sequence[TreeNode]) -> Shape:
    """Return the shape of a built tree."""
    return [
        (n.comment.id, n.depth, n.more_replies, tuple(c.comment.id for c in n.children))
        for n in walk(nodes)
    ]


def reference(case: Case) -> Shape:
    """Compute the expected shape the slow, obvious way (visit in final order)."""
    rows = case.rows
    by_id = {row.id: row for row in rows}
    limit = float("inf") if case.max_depth is None else case.max_depth
    base = min(case.base_depth, limit)
    flatten = case.overflow is Overflow.FLATTEN or limit == 0

    def natural_parent(row: Comment) -> int | None:
        if row.parent_id == case.under:
            return None
        if row.parent_id in by_id:
            return row.parent_id
        if row.root_id != row.id and row.root_id in by_id:
            return row.root_id
        return None

    kids: dict[int | None, list[Comment]] = {}
    for row in rows:
        kids.setdefault(natural_parent(row), []).append(row)
    for parent, group in kids.items():
        group.sort(key=key_of(case.sort if parent is None else case.reply_sort))

    shown: dict[int | None, list[int]] = {None: []}  # display children; None: the top
    depth: dict[int, int] = {}
    stack: list[tuple[Comment, tuple[int, ...]]] = [(r, ()) for r in reversed(kids.get(None, []))]
    while stack:
        row, path = stack.pop()
        level = len(path)
        holder: int | None
        if base + level <= limit:
            holder, depth[row.id] = (path[-1] if path else None), int(base + level)
        elif flatten:
            index = int(limit) - 1 - int(base)
            holder, depth[row.id] = (path[index] if index >= 0 else None), int(limit)
        elif base == 0:
            holder, depth[row.id] = path[0], 1
        else:
            holder, depth[row.id] = None, int(base)
        shown.setdefault(holder, []).append(row.id)
        shown.setdefault(row.id, [])
        stack.extend((child, (*path, row.id)) for child in reversed(kids.get(row.id, [])))
    direct: dict[int, int] = {}
    for row in rows:
        if row.parent_id in by_id:
            direct[row.parent_id] = direct.get(row.parent_id, 0) + 1
    result: Shape = []
    visit = list(reversed(shown[None]))
    while visit:
        cid = visit.pop()
        more = max(0, by_id[cid].reply_count - direct.get(cid, 0))
        result.append((cid, depth[cid], more, tuple(shown[cid])))
        visit.extend(reversed(shown[cid]))
    return result


@pytest.mark.slow
@settings(deadline=None, max_examples=200)
@given(cases())
def test_tree_matches_the_reference_model(case: Case) -> None:
    """build_tree gives exactly the tree the slow reference model describes."""
    assert reference(case) == shape(case.build())


@settings(deadline=None)
@given(cases())
def test_every_row_appears_exactly_once(case: Case) -> None:
    """Each row is one node, whatever the order, orphans or options; counts agree."""
    nodes = case.build()
    assert sorted(row.id for row in case.rows) == sorted(n.comment.id for n in walk(nodes))
    assert len(case.rows) == count_nodes(nodes)


@settings(deadline=None)
@given(cases())
def test_parents_come_before_children(case: Case) -> None:
    """In display order every row comes after its parent when the parent is present."""
    position = {node.comment.id: index for index, node in enumerate(walk(case.build()))}
    for row in case.rows:
        if row.parent_id in position:
            assert position[row.parent_id] < position[row.id]


@pytest.mark.slow
@settings(deadline=None)
@given(cases())
def test_siblings_are_in_order(case: Case) -> None:
    """Replies to one comment appear in reply_sort order; top entries in sort order."""
    order = [node.comment for node in walk(case.build())]
    by_parent: dict[int | None, list[Comment]] = {}
    for comment in order:
        by_parent.setdefault(comment.parent_id, []).append(comment)
    present = {row.id for row in case.rows}
    for parent, siblings in by_parent.items():
        if parent == case.under or parent in present:  # orphans: no rule
            key = key_of(case.sort if parent == case.under else case.reply_sort)
            assert sorted(siblings, key=key) == siblings


@settings(deadline=None)
@given(cases())
def test_depth_limit_is_honoured(case: Case) -> None:
    """No node is deeper than max_depth; each child is one level below its parent."""
    nodes = case.build()
    limit = case.max_depth
    top_depth = case.base_depth if limit is None else min(case.base_depth, limit)
    assert all(top_depth == node.depth for node in nodes)
    for node in walk(nodes):
        assert limit is None or node.depth <= limit
        assert all(node.depth + 1 == child.depth for child in node.children)


@settings(deadline=None)
@given(cases())
def test_nodes_are_shown_under_an_ancestor(case: Case) -> None:
    """A node's displayed parent is one of its ancestors in the full thread."""
    parent_of = {row.id: row.parent_id for row in case.forest}
    for node in walk(case.build()):
        for child in node.children:
            ancestors = set()
            cursor = parent_of[child.comment.id]
            while cursor is not None:
                ancestors.add(cursor)
                cursor = parent_of.get(cursor)
            assert node.comment.id in ancestors


@settings(deadline=None)
@given(cases())
def test_more_replies_counts_the_missing_direct_replies(case: Case) -> None:
    """more_replies is reply_count minus the direct replies present, never negative."""
    present: dict[int, int] = {}
    for row in case.rows:
        if row.parent_id is not None:
            present[row.parent_id] = present.get(row.parent_id, 0) + 1
    for node in walk(case.build()):
        expected = max(0, node.comment.reply_count - present.get(node.comment.id, 0))
        assert expected == node.more_replies


@settings(deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(case: Case, rng: Any) -> None:
    """The same rows in any order build the same tree."""
    rows = list(case.rows)
    rng.shuffle(rows)
    assert shape(case.build()) == shape(case.build(rows))


@pytest.mark.slow
@settings(deadline=None)
@given(comment_forests(max_size=25, hidden_replies=False))
def test_forests_are_consistent(forest: list[Comment]) -> None:
    """The forests these properties run on are consistent, as the strategy promises."""
    by_id = {row.id: row for row in forest}
    assert sorted(by_id) == [row.id for row in forest]
    for row in forest:
        parent = by_id.get(row.parent_id) if row.parent_id is not None else None
        if parent is None:
            assert (None, row.id, 0) == (row.parent_id, row.root_id, row.depth)
        else:
            assert (parent.root_id, parent.depth + 1) == (row.root_id, row.depth)
            assert parent.created_at < row.created_at
        counted = sum(1 for c in forest if c.parent_id == row.id and c.status in COUNTED)
        assert counted == row.reply_count
        assert row.created_at.utcoffset() is not None
