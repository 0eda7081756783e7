"""Issue #12: a cut page's links count what loading each one's first batch adds.

:func:`~threadkit._more.count_after_cut` sees only the page and the rows after
the cut. On random threads (deep chains, replies missing from the page) with
random comments the reader may not see (whose visible replies are still
listed), random cuts, depth limits and batch sizes, every node's
``more_replies`` must be what a slow oracle finds by following the link: the
first ``batch`` visible descendants of the node, minus the rows on the page.
"""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from threadkit._more import count_after_cut
from threadkit.models import Comment, Status
from threadkit.testing.generate import generate_thread
from threadkit.testing.strategies import comment_forests
from threadkit.tree import TreeNode, build_tree, walk


def _depth_first(children: dict[int | None, list[Comment]], top: Comment) -> list[Comment]:
    """``top`` and its descendants depth first, siblings oldest first (as a store lists them)."""
    ordered: list[Comment] = []
    stack = [top]
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row.id, [])))
    return ordered


FORESTS = comment_forests(min_size=1, max_size=60, chains=True, hidden_replies=True, rich=False)


@attrs.frozen
class _Cut:
    """A cut page drawn by :func:`_draw_cut`, with what a link loads."""

    page: list[Comment]
    after: list[tuple[int, int, int | None]]  # the whole first batch past the page
    batch: int
    max_depth: int | None
    parent_of: dict[int, int | None]
    below: dict[int, list[Comment]]  # each comment's visible descendants, depth first


def _draw_cut(forest: list[Comment], data: st.DataObject) -> _Cut:
    """A page of ``forest``'s first thread cut anywhere, with hidden comments and a batch."""
    children: dict[int | None, list[Comment]] = {}
    for row in forest:
        children.setdefault(row.parent_id, []).append(row)
    everything = _depth_first(children, forest[0])
    hidden = data.draw(
        st.sets(
            st.sampled_from([row.id for row in everything[1:]])
            if len(everything) > 1
            else st.nothing()
        ),
        label="hidden",
    )
    listed = [row for row in everything if row.id not in hidden or row is everything[0]]
    cut = data.draw(st.integers(0, len(listed) - 1), label="rows below the top on the page")
    batch = data.draw(st.integers(1, 12), label="batch")
    max_depth = data.draw(st.sampled_from([None, 0, 1, 2, 5]), label="max_depth")
    below = {
        row.id: [seen for seen in _depth_first(children, row)[1:] if seen.id not in hidden]
        for row in listed[: cut + 1]
    }
    return _Cut(
        page=listed[: cut + 1],
        after=[(row.id, row.depth, row.parent_id) for row in listed[cut + 1 : cut + 1 + batch]],
        batch=batch,
        max_depth=max_depth,
        parent_of={row.id: row.parent_id for row in forest},
        below=below,
    )


def _counts(nodes: list[TreeNode]) -> dict[int, int]:
    return {node.comment.id: node.more_replies for node in walk(nodes)}


@settings(max_examples=300)
@given(FORESTS, st.data())
def test_counts_are_what_following_each_link_adds(
    forest: list[Comment], data: st.DataObject
) -> None:
    """Every node's count is how many of its first subtree batch's rows the page lacks."""
    case = _draw_cut(forest, data)
    page, batch = case.page, case.batch
    linked = {
        node.comment.id
        for node in walk(build_tree(page, max_depth=case.max_depth))
        if node.more_replies
    }
    nodes = build_tree(page, max_depth=case.max_depth)
    assert count_after_cut(nodes, page, case.after, batch, case.parent_of.__getitem__)
    shown = {row.id for row in page}
    for node in walk(nodes):
        comment = node.comment
        added = 0
        if comment.id in linked or comment.id == page[0].id:
            added = sum(1 for row in case.below[comment.id][:batch] if row.id not in shown)
        assert (comment.id, node.more_replies) == (comment.id, added)


@settings(max_examples=300)
@given(FORESTS, st.data())
def test_the_first_rows_past_the_cut_settle_the_counts_or_leave_the_page_alone(
    forest: list[Comment], data: st.DataObject
) -> None:
    """With only the first rows past the page, a count is set only when it is already exact.

    ``count_cut_links`` reads a few rows past the cut first: when it says
    they settle every link, the counts are those of the whole batch; when
    not, no node was touched (so the second call starts from the tree's own
    counts).
    """
    case = _draw_cut(forest, data)
    page, batch = case.page, case.batch
    exact = build_tree(page, max_depth=case.max_depth)
    count_after_cut(exact, page, case.after, batch, case.parent_of.__getitem__)
    read = data.draw(st.integers(0, len(case.after)), label="rows read past the page")
    nodes = build_tree(page, max_depth=case.max_depth)
    untouched = _counts(nodes)
    settled = count_after_cut(
        nodes, page, case.after[:read], batch, case.parent_of.__getitem__, complete=False
    )
    if settled:
        assert _counts(nodes) == _counts(exact)
    else:
        assert _counts(nodes) == untouched
    if read >= batch:
        assert settled  # the whole batch always settles


def test_a_reply_below_a_hidden_comment_is_not_counted_for_the_comment_before_it() -> None:
    """The reply of a hidden sibling, listed right after a comment, is not that comment's."""
    parents = {1: None, 2: 1, 3: 2, 4: 2, 5: 4}
    depths = {1: 0, 2: 1, 3: 2, 4: 2, 5: 3}
    first = generate_thread(5, seed=3, thread_key="t")
    rows = {
        row.id: attrs.evolve(
            row,
            parent_id=parents[row.id],
            depth=depths[row.id],
            root_id=1,
            status=Status.PENDING if row.id == 4 else Status.APPROVED,
            reply_count=1 if row.id in (1, 2, 3) else 0,  # 3's reply is pending too
        )
        for row in first
    }
    page = [rows[1], rows[2], rows[3]]  # 4 is hidden; 5 (its reply) comes next
    nodes = build_tree(page)
    count_after_cut(nodes, page, [(5, 3, 4)], 3, lambda _: 2)
    assert {node.comment.id: node.more_replies for node in walk(nodes)} == {1: 1, 2: 0, 3: 0}


def test_a_link_is_settled_by_its_closing_row_or_its_share_and_not_before() -> None:
    """Reading rows past the cut one at a time: settled exactly when every link is.

    The page is T, three leaf replies, A, A's reply B and B's reply (7 rows, the
    batch). Past it come B's second reply, then six more replies of A. B's link
    settles at the first row not below B; A's link only at its share of the batch
    (5 rows: what a click adds beyond the 2 of A's descendants the page shows).
    """
    parents = {1: None, 2: 1, 3: 1, 4: 1, 5: 1, 6: 5, 7: 6, 8: 6}
    parents.update({reply: 5 for reply in range(9, 15)})
    depths = {1: 0, 6: 2, 7: 3, 8: 3}
    first = generate_thread(len(parents), seed=5, thread_key="t")
    rows = {
        row.id: attrs.evolve(
            row,
            parent_id=parents[row.id],
            depth=depths.get(row.id, 1 if parents[row.id] == 1 else 2),
            root_id=1,
            status=Status.APPROVED,
            reply_count=sum(1 for parent in parents.values() if parent == row.id),
        )
        for row in first
    }
    page = [rows[row_id] for row_id in range(1, 8)]
    after = [(row_id, rows[row_id].depth, parents[row_id]) for row_id in range(8, 15)]
    exact = build_tree(page)
    assert count_after_cut(exact, page, after, 7)
    assert {1: 1, 5: 5, 6: 1} == {k: v for k, v in _counts(exact).items() if v}
    settled_at = []
    for read in range(len(after) + 1):
        nodes = build_tree(page)
        before = _counts(nodes)
        if count_after_cut(nodes, page, after[:read], 7, complete=False):
            settled_at.append(read)
            assert _counts(nodes) == _counts(exact)
        else:
            assert _counts(nodes) == before
    assert settled_at == [5, 6, 7]
