"""Issue #12: a cut page's links counted from the rows after the cut, as from the whole list.

:func:`~threadkit._more.count_after_cut` looks only at the chain the cut went
through; on random threads (deep chains, replies missing from the page) and
random cuts, depth limits and batch sizes, it sets every node's
``more_replies`` exactly as :func:`~threadkit._more.count_added` does given
the page's rows followed by the rows after the cut.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from threadkit._more import count_added, count_after_cut
from threadkit.models import Comment
from threadkit.testing.strategies import comment_forests
from threadkit.tree import build_tree, walk


def _depth_first(rows: list[Comment], top: Comment) -> list[Comment]:
    """``top`` and its descendants depth first, siblings oldest first (as a store lists them)."""
    children: dict[int, list[Comment]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    ordered: list[Comment] = []
    stack = [top]
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row.id, [])))
    return ordered


@given(
    comment_forests(min_size=1, max_size=60, chains=True, hidden_replies=True, rich=False),
    st.data(),
)
def test_counting_after_the_cut_matches_counting_the_whole_list(
    forest: list[Comment], data: st.DataObject
) -> None:
    """Every node's count equals count_added's over the page's rows plus the rows after."""
    subtree = _depth_first(forest, forest[0])
    cut = data.draw(st.integers(0, len(subtree) - 1), label="rows below the top on the page")
    batch = data.draw(st.integers(1, 12), label="batch")
    max_depth = data.draw(st.sampled_from([None, 0, 1, 2, 5]), label="max_depth")
    page = subtree[: cut + 1]
    after = [(row.id, row.depth) for row in subtree[cut + 1 : cut + 1 + batch]]
    expected_nodes = build_tree(page, max_depth=max_depth)
    actual_nodes = build_tree(page, max_depth=max_depth)
    rest = [*((row.id, row.depth) for row in page[1:]), *after]
    count_added(expected_nodes, page, rest, batch)
    count_after_cut(actual_nodes, page, after, batch)
    expected = [(node.comment.id, node.more_replies) for node in walk(expected_nodes)]
    assert expected == [(node.comment.id, node.more_replies) for node in walk(actual_nodes)]
