"""Unit tests for threadkit.tree: one test per rule of build_tree, walk and count_nodes."""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from threadkit import tree
from threadkit.models import Comment, Identity, SortOrder, Status
from threadkit.testing.generate import depth_first, generate_thread, shuffled
from threadkit.tree import Overflow, TreeNode, build_tree, count_nodes, walk

ADA = Identity("anonymous", "a1", "Ada")
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def thread(
    *links: tuple[int, int | None],
    status: dict[int, Status] | None = None,
    votes: dict[int, tuple[int, int]] | None = None,
    replies: dict[int, int] | None = None,
) -> list[Comment]:
    """Build consistent rows from ``(id, parent_id)`` pairs (parents listed first).

    ``reply_count`` counts the direct replies listed unless ``replies`` says otherwise.
    """
    status = status or {}
    votes = votes or {}
    replies = replies or {}
    root: dict[int, int] = {}
    depth: dict[int, int] = {}
    counted: dict[int, int] = {}
    for cid, pid in links:
        root[cid] = cid if pid is None else root.get(pid, pid)
        depth[cid] = 0 if pid is None else depth.get(pid, 0) + 1
        if pid is not None:
            counted[pid] = counted.get(pid, 0) + 1
    rows = []
    for cid, pid in links:
        up, down = votes.get(cid, (0, 0))
        state = status.get(cid, Status.APPROVED)
        rows.append(
            Comment(
                id=cid,
                thread_key="t",
                parent_id=pid,
                root_id=root[cid],
                depth=depth[cid],
                author=ADA,
                body_source="" if state is Status.DELETED else f"comment {cid}",
                body_html="" if state is Status.DELETED else f"<p>comment {cid}</p>",
                status=state,
                created_at=EPOCH + timedelta(minutes=cid),
                upvotes=up,
                downvotes=down,
                reply_count=replies.get(cid, counted.get(cid, 0)),
            )
        )
    return rows


def outline(nodes: Sequence[TreeNode]) -> list[str]:
    """Show a tree as pre-order lines: one dot per display depth, then the id."""
    return ["." * node.depth + str(node.comment.id) for node in walk(nodes)]


def chain(length: int) -> list[Comment]:
    """Return a single reply chain ``length`` comments deep (ids 1..length)."""
    return thread(*((i, None if i == 1 else i - 1) for i in range(1, length + 1)))


# A small page used by several tests:
#   1            (top, 2 votes up)
#     2
#       4
#     3
#   5            (top, 5 votes up)
#     6
PAGE = [(1, None), (2, 1), (3, 1), (4, 2), (5, None), (6, 5)]


def test_empty_rows_build_an_empty_tree() -> None:
    """No rows give no nodes, from a list or any iterable."""
    assert [] == build_tree([])
    assert [] == build_tree(iter(()))


def test_replies_nest_under_their_parent() -> None:
    """Each reply sits under the comment it answers, one display level deeper."""
    nodes = build_tree(thread(*PAGE))
    assert ["1", ".2", "..4", ".3", "5", ".6"] == outline(nodes)


def test_oldest_sort_orders_top_entries_by_id() -> None:
    """SortOrder.OLDEST puts top entries in ascending id order."""
    rows = thread(*PAGE)
    nodes = build_tree(list(reversed(rows)), sort=SortOrder.OLDEST)
    assert [1, 5] == [node.comment.id for node in nodes]


def test_newest_sort_orders_top_entries_by_id_descending() -> None:
    """SortOrder.NEWEST puts the newest top entry first; replies stay oldest first."""
    nodes = build_tree(thread(*PAGE), sort=SortOrder.NEWEST)
    assert ["5", ".6", "1", ".2", "..4", ".3"] == outline(nodes)


def test_top_sort_orders_by_score_then_id() -> None:
    """SortOrder.TOP puts the highest score first and breaks ties by the older id."""
    rows = thread(
        (1, None), (2, None), (3, None), (4, None), votes={2: (5, 1), 3: (4, 0), 4: (9, 9)}
    )
    nodes = build_tree(rows, sort=SortOrder.TOP)
    assert [2, 3, 1, 4] == [node.comment.id for node in nodes]


def test_reply_sort_orders_replies_at_every_level() -> None:
    """reply_sort orders siblings below the top level, independently of sort."""
    rows = thread((1, None), (2, 1), (3, 1), (4, 2), (5, 2), (6, None))
    nodes = build_tree(rows, sort=SortOrder.OLDEST, reply_sort=SortOrder.NEWEST)
    assert ["1", ".3", ".2", "..5", "..4", "6"] == outline(nodes)


def test_top_reply_sort_uses_score() -> None:
    """reply_sort=TOP orders replies by score, ties by id."""
    rows = thread((1, None), (2, 1), (3, 1), (4, 1), votes={3: (3, 0), 4: (3, 0)})
    nodes = build_tree(rows, reply_sort=SortOrder.TOP)
    assert [3, 4, 2] == [child.comment.id for child in nodes[0].children]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_row_order_gives_the_same_tree(seed: int) -> None:
    """Shuffled, depth-first and store-ordered rows build identical trees."""
    rows = thread(*PAGE, (7, 4), (8, 7), (9, 3), (10, None))
    expected = outline(build_tree(rows))
    assert expected == outline(build_tree(shuffled(rows, seed=seed)))
    assert expected == outline(build_tree(depth_first(rows)))


def test_flatten_shows_deep_replies_after_their_ancestor_at_the_limit() -> None:
    """FLATTEN puts replies past max_depth at max_depth, right after their ancestor there."""
    rows = chain(6) + thread((7, None))
    nodes = build_tree(rows, max_depth=2, overflow=Overflow.FLATTEN)
    assert ["1", ".2", "..3", "..4", "..5", "..6", "7"] == outline(nodes)


def test_flatten_keeps_depth_first_order_and_next_sibling_after() -> None:
    """Flattened replies follow their anchor in depth-first order, before its next sibling."""
    rows = thread((1, None), (2, 1), (3, 2), (4, 3), (5, 3), (6, 4), (7, 2), (8, 1))
    nodes = build_tree(rows, max_depth=2, overflow=Overflow.FLATTEN)
    assert ["1", ".2", "..3", "..4", "..6", "..5", "..7", ".8"] == outline(nodes)


def test_flatten_with_newest_replies_flattens_in_that_order() -> None:
    """Flattened replies follow reply_sort at every level of the flattened subtree."""
    rows = thread((1, None), (2, 1), (3, 2), (4, 2), (5, 3))
    nodes = build_tree(rows, max_depth=1, reply_sort=SortOrder.NEWEST)
    assert ["1", ".2", ".4", ".3", ".5"] == outline(nodes)


def test_top_level_overflow_reparents_to_the_top_level_ancestor() -> None:
    """TOP_LEVEL makes replies past max_depth direct replies of the top-level comment."""
    rows = thread((1, None), (2, 1), (3, 2), (4, 3), (5, 1), (6, 4))
    nodes = build_tree(rows, max_depth=1, overflow=Overflow.TOP_LEVEL)
    assert ["1", ".2", ".3", ".4", ".6", ".5"] == outline(nodes)


def test_top_level_overflow_follows_the_reply_it_descends_from() -> None:
    """Re-parented replies come right after their depth-1 ancestor's block, never above it."""
    rows = thread((1, None), (2, 1), (3, 2), (4, 3), (5, 1), (6, 5), (7, 6))
    nodes = build_tree(rows, max_depth=2, overflow=Overflow.TOP_LEVEL, reply_sort=SortOrder.NEWEST)
    assert ["1", ".5", "..6", ".7", ".2", "..3", ".4"] == outline(nodes)


def test_no_depth_limit_nests_everything() -> None:
    """max_depth=None shows every reply at its own depth."""
    nodes = build_tree(chain(9), max_depth=None)
    assert list(range(9)) == [node.depth for node in walk(nodes)]


@pytest.mark.parametrize("overflow", list(Overflow))
def test_depth_limit_zero_shows_a_flat_list(overflow: Overflow) -> None:
    """max_depth=0 shows every comment at depth 0, each after its ancestors."""
    rows = thread((1, None), (2, 1), (3, 2), (4, None), (5, 1))
    nodes = build_tree(rows, max_depth=0, overflow=overflow)
    assert ["1", "2", "3", "5", "4"] == outline(nodes)


def test_default_depth_limit_is_five() -> None:
    """By default replies nest at most five levels below the top (depth 5)."""
    nodes = build_tree(chain(9))
    assert [0, 1, 2, 3, 4, 5, 5, 5, 5] == [node.depth for node in walk(nodes)]


def test_more_replies_counts_replies_missing_from_the_page() -> None:
    """more_replies is reply_count minus the direct replies present."""
    rows = thread(*PAGE, replies={1: 5, 2: 1, 5: 1})
    nodes = {node.comment.id: node.more_replies for node in walk(build_tree(rows))}
    assert {1: 3, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0} == nodes


def test_more_replies_is_never_negative() -> None:
    """Replies not counted in reply_count (a pending one shown to its author) never go below 0."""
    rows = thread((1, None), (2, 1), (3, 1), status={3: Status.PENDING}, replies={1: 1})
    assert 0 == build_tree(rows)[0].more_replies


def test_more_replies_counts_direct_replies_shown_elsewhere() -> None:
    """A direct reply moved by the depth limit still counts as present."""
    rows = thread((1, None), (2, 1), (3, 2), replies={2: 3})
    nodes = {n.comment.id: n.more_replies for n in walk(build_tree(rows, max_depth=1))}
    assert 2 == nodes[2]


def test_orphan_goes_under_its_root_when_present() -> None:
    """A row whose parent is missing is shown under its top-level ancestor."""
    rows = [row for row in thread((1, None), (2, 1), (3, 2), (4, 1)) if row.id != 2]
    nodes = build_tree(rows)
    assert ["1", ".3", ".4"] == outline(nodes)


def test_orphan_without_its_root_becomes_a_top_entry() -> None:
    """A row whose parent and root are both missing is a top entry, sorted with the others."""
    rows = [row for row in thread((1, None), (2, 1), (3, 2), (4, None)) if row.id in (3, 4)]
    assert ["3", "4"] == outline(build_tree(rows))


def test_orphan_is_not_a_direct_reply_of_its_root() -> None:
    """An orphan shown under its root does not lower the root's more_replies."""
    rows = [row for row in thread((1, None), (2, 1), (3, 2)) if row.id != 2]
    assert 1 == build_tree(rows)[0].more_replies


def test_parent_cycle_still_shows_every_row_once() -> None:
    """Corrupt rows whose parents form a cycle are all shown, the first as a top entry."""
    base = thread((1, None), (2, 1), (3, 2))
    rows = [base[0], attrs.evolve(base[1], parent_id=3), base[2]]
    nodes = build_tree(rows)
    assert ["1", "2", ".3"] == outline(nodes)


def test_row_that_is_its_own_parent_becomes_a_top_entry() -> None:
    """A corrupt row naming itself as parent is shown once, as a top entry."""
    base = thread((1, None), (2, 1))
    rows = [base[0], attrs.evolve(base[1], parent_id=2)]
    assert ["1", "2"] == outline(build_tree(rows))


def test_under_builds_the_replies_below_one_comment() -> None:
    """under= makes that comment's direct replies the top entries, at base_depth."""
    rows = [row for row in thread(*PAGE, (7, 2)) if row.id in (4, 7)]
    nodes = build_tree(rows, under=2, base_depth=2)
    assert ["..4", "..7"] == outline(nodes)


def test_under_applies_the_depth_limit_to_display_depth() -> None:
    """In a subtree build the limit counts from the page's top, not the subtree's."""
    rows = chain(6)[2:]  # ids 3..6 under comment 2 (depth 1)
    nodes = build_tree(rows, under=2, base_depth=2, max_depth=3)
    assert ["..3", "...4", "...5", "...6"] == outline(nodes)


def test_under_with_base_at_the_limit_flattens_after_each_entry() -> None:
    """A subtree shown at the limit lists each reply followed by its descendants."""
    rows = thread((1, None), (2, 1), (3, 2), (4, 3), (5, 2), (6, 5), (7, 3))[2:]
    nodes = build_tree(rows, under=2, base_depth=2, max_depth=2)
    assert ["..3", "..4", "..7", "..5", "..6"] == outline(nodes)


def test_base_depth_above_the_limit_counts_as_the_limit() -> None:
    """base_depth deeper than max_depth is shown at max_depth."""
    rows = chain(4)[2:]
    nodes = build_tree(rows, under=2, base_depth=9, max_depth=3)
    assert ["...3", "...4"] == outline(nodes)


def test_under_with_top_level_overflow_makes_deep_replies_entries() -> None:
    """TOP_LEVEL in a subtree build shows replies past the limit as top entries."""
    rows = thread((1, None), (2, 1), (3, 2), (4, 3), (5, 2))[1:]
    nodes = build_tree(rows, under=1, base_depth=1, max_depth=1, overflow=Overflow.TOP_LEVEL)
    assert [".2", ".3", ".4", ".5"] == outline(nodes)


def test_under_rows_must_not_include_that_comment() -> None:
    """Passing the under= comment itself among the rows is refused."""
    with pytest.raises(ValueError, match="under"):
        build_tree(thread(*PAGE), under=1, base_depth=1)


def test_under_treats_other_top_level_rows_as_orphans() -> None:
    """In a subtree build a top-level row is not a reply to under=, so it goes last by id."""
    rows = [row for row in thread(*PAGE) if row.id in (4, 5)]
    nodes = build_tree(rows, under=2, base_depth=2)
    assert ["..4", "..5"] == outline(nodes)


@pytest.mark.parametrize(("max_depth", "base_depth"), [(-1, 0), (3, -1)])
def test_negative_limits_are_refused(max_depth: int, base_depth: int) -> None:
    """A negative max_depth or base_depth raises ValueError."""
    with pytest.raises(ValueError, match="must be"):
        build_tree(thread(*PAGE), max_depth=max_depth, base_depth=base_depth)


def test_placeholders_keep_their_place_and_replies() -> None:
    """A deleted placeholder stays where it was, with its replies under it."""
    rows = thread(*PAGE, status={2: Status.DELETED})
    nodes = build_tree(rows)
    assert ["1", ".2", "..4", ".3", "5", ".6"] == outline(nodes)
    assert Status.DELETED == nodes[0].children[0].comment.status


def test_nodes_carry_their_comment() -> None:
    """Each node holds the very Comment object it was built from."""
    rows = thread(*PAGE)
    by_id = {row.id: row for row in rows}
    assert all(by_id[node.comment.id] is node.comment for node in walk(build_tree(rows)))


def test_walk_is_pre_order_and_count_nodes_counts_all() -> None:
    """Walking is pre-order in display order; count_nodes counts every node."""
    nodes = build_tree(thread(*PAGE))
    assert [1, 2, 4, 3, 5, 6] == [node.comment.id for node in walk(nodes)]
    assert 6 == count_nodes(nodes)
    assert 0 == count_nodes([])


@pytest.mark.parametrize("order", ["path", "shuffled"])
def test_ten_thousand_deep_chain_builds_walks_and_counts(order: str) -> None:
    """A 10,000-deep reply chain builds, walks and counts without RecursionError."""
    rows = chain(10_000)
    if order == "shuffled":
        random.Random(5).shuffle(rows)
    nodes = build_tree(rows, max_depth=None)
    depths = [node.depth for node in walk(nodes)]
    assert list(range(10_000)) == depths
    assert 10_000 == count_nodes(nodes)
    assert "TreeNode(id=1, depth=0, children=1, more_replies=0)" == repr(nodes[0])


def test_ten_thousand_deep_chain_flattens_at_the_default_limit() -> None:
    """With the default limit a very deep chain shows at most five levels deep."""
    nodes = build_tree(chain(10_000))
    assert 5 == max(node.depth for node in walk(nodes))
    assert 10_000 == count_nodes(nodes)


def test_generated_thread_builds_completely() -> None:
    """Every comment of a realistic generated thread appears exactly once."""
    rows = generate_thread(3000, seed=11)
    ids = sorted(node.comment.id for node in walk(build_tree(rows)))
    assert [row.id for row in rows] == ids


def _spy_gc(monkeypatch: pytest.MonkeyPatch, *, fail: bool = False) -> list[bool]:
    """Record gc.isenabled() inside the builder (and optionally fail there)."""
    seen: list[bool] = []
    original = tree._Builder.stream

    def spy(self: tree._Builder, rows: Sequence[Comment]) -> list[TreeNode] | None:
        seen.append(gc.isenabled())
        if fail:
            raise RuntimeError("boom")
        return original(self, rows)

    monkeypatch.setattr(tree._Builder, "stream", spy)
    return seen


@pytest.fixture
def gc_enabled() -> Iterator[None]:
    """Make sure the collector is on for the test and on afterwards."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("gc_enabled")
def test_gc_is_paused_during_the_build_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cyclic GC is off while building and back on afterwards."""
    seen = _spy_gc(monkeypatch)
    build_tree(thread(*PAGE))
    assert [False] == seen
    assert gc.isenabled()


@pytest.mark.usefixtures("gc_enabled")
def test_gc_is_restored_when_the_build_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error inside the build still turns the GC back on."""
    _spy_gc(monkeypatch, fail=True)
    with pytest.raises(RuntimeError, match="boom"):
        build_tree(thread(*PAGE))
    assert gc.isenabled()


@pytest.mark.usefixtures("gc_enabled")
def test_gc_stays_off_if_it_was_off() -> None:
    """A build does not turn on a GC the caller had disabled."""
    gc.disable()
    build_tree(thread(*PAGE))
    assert not gc.isenabled()
