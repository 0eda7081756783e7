"""Issue #12: a cut page's "N more replies" counts are what following each link adds.

On random threads (deep chains, branches, pending, spam and deleted comments)
held by the memory store and by the SQL store at low ``storage_depth_cap``
(replies past the cap stored flattened), for a reader, a moderator and an
author who sees their own pending comments, every link a cut page offers is
followed (``engine.subtree`` at the page's ``total_limit``) and its number
must equal the comments that batch adds to the page. Both of the engine's
ways to count (the store's cut cursor, or the page's rows read again) are
checked, and both stores' pages list the same rows in the same order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.models import Actor, Comment, CommentRows, Identity, SortOrder, Status, Visibility
from threadkit.testing.strategies import comment_forests
from threadkit.tree import build_tree, walk

CAPS = (1, 2, 3)
MODERATOR = Actor(Identity("local", "mod", "Mod"), moderator=True)
_keys = itertools.count()


class NoCutCursor:
    """A store proxy whose pages carry no cut cursor (the engine then reads the rows again)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def page(self, thread_key: str, **options: Any) -> CommentRows:
        """Answer as the store does, without the cut cursor."""
        rows: CommentRows = self.store.page(thread_key, **options)
        return attrs.evolve(rows, cut_cursor=None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture(scope="module")
def capped(shared_engine: Engine) -> Iterator[dict[int, SqlCommentStore]]:
    """SQL stores on the backend's shared database, one per storage depth cap."""
    stores = {cap: SqlCommentStore(shared_engine, storage_depth_cap=cap) for cap in CAPS}
    yield stores
    for store in stores.values():
        store.close()


def _viewers(forest: list[Comment]) -> list[Actor]:
    authors = {row.author for row in forest if row.author is not None}
    return [Actor(), MODERATOR, *(Actor(author) for author in sorted(authors, key=str)[:2])]


def _visibility(viewer: Actor) -> Visibility:
    """What ``viewer`` may see besides approved comments and placeholders (as the engine asks)."""
    return Visibility(viewer_key=viewer.key, moderator=viewer.moderator)


def _masked(rows: list[Comment], visibility: Visibility) -> list[Comment]:
    """``rows`` with what ``visibility`` may not see as placeholders (their place kept)."""
    return [
        row if visibility.can_see(row) else attrs.evolve(row, status=Status.DELETED) for row in rows
    ]


def _check_links(store: Any, key: str, viewer: Actor, total: int, max_depth: int | None) -> None:
    """Every link on the first page of ``key`` counts what following it adds."""
    policy = EnginePolicy(total_limit=total, top_limit=1, max_display_depth=max_depth)
    engine = CommentEngine(store, policy=policy)
    page = engine.page(key, viewer)
    shown = {node.comment.id for node in walk(page.nodes)}
    # Which nodes link at all: the tree's own view of the same page, before counting.
    rows = store.page(
        key,
        sort=page.sort,
        visibility=_visibility(viewer),
        top_limit=1,
        total_limit=total,
    )
    raw = build_tree(
        _masked(rows.comments, _visibility(viewer)),
        sort=page.sort,
        max_depth=max_depth,
        overflow=policy.overflow,
    )
    linked = {node.comment.id for node in walk(raw) if node.more_replies}
    if len(rows.comments) == total and rows.comments[-1].root_id == rows.comments[0].id:
        linked.add(rows.comments[0].id)  # a cut top-level comment always links
    for node in walk(page.nodes):
        comment_id = node.comment.id
        added = 0
        if comment_id in linked:
            batch = engine.subtree(comment_id, viewer, total_limit=total)
            added = sum(1 for row in walk(batch.nodes) if row.comment.id not in shown)
        assert (comment_id, node.more_replies) == (comment_id, added)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    comment_forests(min_size=1, max_size=40, chains=True, rich=False),
    st.sampled_from(CAPS),
    st.integers(1, 14),
    st.sampled_from([None, 1, 3]),
    st.data(),
)
def test_links_count_what_following_them_adds(
    capped: dict[int, SqlCommentStore],
    forest: list[Comment],
    cap: int,
    total: int,
    max_depth: int | None,
    data: st.DataObject,
) -> None:
    """Memory and SQL stores, with and without cut cursors: a link's number is what it adds."""
    key = f"more-{next(_keys)}"
    sql = capped[cap]
    sql_ids = {new: old for old, new in sql.bulk_load(key, forest).items()}
    memory = MemoryStore()
    memory_ids = {new: old for old, new in memory.bulk_load(key, forest).items()}
    viewer = data.draw(st.sampled_from(_viewers(forest)), label="viewer")
    # Both stores list the same rows in the same order (flattened runs put back in order).
    options: dict[str, Any] = {
        "sort": SortOrder.OLDEST,
        "visibility": _visibility(viewer),
        "top_limit": 3,
        "total_limit": total,
    }
    listed = [sql_ids[row.id] for row in sql.page(key, **options).comments]
    assert listed == [memory_ids[row.id] for row in memory.page(key, **options).comments]
    for store in (memory, NoCutCursor(memory), sql, NoCutCursor(sql)):
        _check_links(store, key, viewer, total, max_depth)


def _every_batch(store: Any, comment_id: int, visibility: Visibility, batch: int) -> list[int]:
    """The ids of ``comment_id``'s subtree, read batch after batch to the end."""
    found: list[int] = []
    cursor = None
    while True:
        rows = store.subtree(comment_id, visibility=visibility, cursor=cursor, total_limit=batch)
        found.extend(row.id for row in rows.comments)
        cursor = rows.next_cursor
        if cursor is None:
            return found


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    comment_forests(min_size=1, max_size=30, chains=True, rich=False),
    st.sampled_from(CAPS),
    st.integers(1, 6),
    st.booleans(),
)
def test_subtree_batches_continue_depth_first_through_flattened_runs(
    capped: dict[int, SqlCommentStore],
    forest: list[Comment],
    cap: int,
    batch: int,
    moderator: bool,
) -> None:
    """Every comment's subtree, batch after batch, lists what the memory store lists at once."""
    key = f"more-{next(_keys)}"
    sql, memory = capped[cap], MemoryStore()
    sql_ids, memory_ids = sql.bulk_load(key, forest), memory.bulk_load(key, forest)
    sql_old = {new: old for old, new in sql_ids.items()}
    memory_old = {new: old for old, new in memory_ids.items()}
    visibility = Visibility(moderator=moderator)
    for row in forest:
        got = _every_batch(sql, sql_ids[row.id], visibility, batch)
        want = _every_batch(memory, memory_ids[row.id], visibility, 1000)
        assert [sql_old[i] for i in got] == [memory_old[i] for i in want], row.id
