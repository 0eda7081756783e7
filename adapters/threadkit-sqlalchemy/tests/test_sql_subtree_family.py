"""Issue #12: a cut page counts its links from the subtree's family, with the same result.

The SQL store answers :meth:`subtree_family` (ids, depths and parent ids, no
comments) for the engine's count of a cut page's "N more replies" links. On
random threads (every status, deletions, deep chains, a low storage depth cap
too), for the public, an author with hidden comments and a moderator, in every
sort: the family is the ``subtree`` rows' ids, depths and parent ids, and every
page is byte-for-byte the page the old path (``subtree``, whole comments)
gives, with the store's cut cursors and without them; the links also match the
memory store's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlstore_backends import empty_tables
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.errors import ValidationError
from threadkit.memory import MemoryStore
from threadkit.models import Actor, Comment, CommentRows, Identity, SortOrder, Visibility
from threadkit.pages import ThreadPage
from threadkit.ports import PageReader, SubtreeFamily
from threadkit.serialization import encode_public
from threadkit.testing.strategies import comment_forests
from threadkit.tree import walk

KEY = "outlined"
VIEWERS = {
    "public": Actor(),
    "author": Actor(Identity("anonymous", "a1", "Ada")),  # one of the forests' authors
    "moderator": Actor(Identity("local", "mod", "Mod"), moderator=True),
}
FORESTS = comment_forests(min_size=1, max_size=40, thread_key=KEY, chains=True, rich=False)


class OldPath:
    """The store without its family reads (its class has none): the engine reads ``subtree``."""

    def __init__(self, store: PageReader) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


class OldNoCutCursor(OldPath):
    """The store without family reads and without cut cursors: the engine re-reads ``subtree``."""

    def page(self, thread_key: str, **options: Any) -> CommentRows:
        """Answer as the store does, without the cut cursor."""
        rows: CommentRows = self.store.page(thread_key, **options)
        return attrs.evolve(rows, cut_cursor=None)


class NoCutCursor(OldNoCutCursor):
    """The store with its family reads but without cut cursors: the engine reads a re-read's."""

    def subtree_family(self, comment_id: int, **options: Any) -> list[tuple[int, int, int | None]]:
        """Answer as the store does."""
        family: list[tuple[int, int, int | None]] = self.store.subtree_family(comment_id, **options)
        return family


def _load(engine: Engine, rows: list[Comment], cap: int) -> SqlCommentStore:
    empty_tables(engine)
    store = SqlCommentStore(engine, storage_depth_cap=cap)
    store.bulk_load(KEY, rows)
    return store


def _pages(
    store: Any, viewer: Actor, sort: SortOrder, total: int, tops: int
) -> Iterator[ThreadPage]:
    """Every page of the thread as ``viewer`` reads it, first to last."""
    policy = EnginePolicy(total_limit=total, top_limit=tops, max_display_depth=3)
    engine = CommentEngine(store, policy=policy)
    cursor = None
    while True:
        page = engine.page(KEY, viewer, sort=sort, cursor=cursor)
        yield page
        cursor = page.next_cursor
        if cursor is None:
            return


def _all_pages(store: Any, viewer: Actor, sort: SortOrder, total: int, tops: int) -> list[bytes]:
    pages = _pages(store, viewer, sort, total, tops)
    return [encode_public(page, moderator=viewer.moderator) for page in pages]


def _links(store: Any, viewer: Actor, sort: SortOrder, total: int, tops: int) -> list[int]:
    """Every node's link count, page after page, in tree order (ids differ between stores)."""
    found: list[int] = []
    for page in _pages(store, viewer, sort, total, tops):
        found.extend(node.more_replies for node in walk(page.nodes))
        found.append(-1)  # the end of a page
    return found


def test_the_sql_store_offers_family_reads(sql_store: SqlCommentStore) -> None:
    """The SQL store is a SubtreeFamily; the proxy standing for old stores is not."""
    assert isinstance(sql_store, SubtreeFamily)
    assert getattr(type(OldPath(sql_store)), "subtree_family", None) is None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=FORESTS,
    cap=st.sampled_from([2, 100]),
    viewer=st.sampled_from(sorted(VIEWERS)),
    batch=st.integers(1, 9),
)
def test_the_family_is_the_subtrees_ids_depths_and_parents(
    shared_engine: Engine, rows: list[Comment], cap: int, viewer: str, batch: int
) -> None:
    """For every comment, batch after batch: the family lists the subtree's (id, depth, parent)."""
    store = _load(shared_engine, rows, cap)
    try:
        actor = VIEWERS[viewer]
        visibility = Visibility(viewer_key=actor.key, moderator=actor.moderator)
        for comment in [*rows, None]:
            comment_id = 10**9 if comment is None else comment.id  # and an unknown id
            cursor = None
            while True:
                got: CommentRows = store.subtree(
                    comment_id, visibility=visibility, cursor=cursor, total_limit=batch
                )
                family = store.subtree_family(
                    comment_id, visibility=visibility, cursor=cursor, total_limit=batch
                )
                assert [(c.id, c.depth, c.parent_id) for c in got.comments] == family
                cursor = got.next_cursor
                if cursor is None:
                    break
    finally:
        store.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=FORESTS,
    cap=st.sampled_from([2, 100]),
    viewer=st.sampled_from(sorted(VIEWERS)),
    sort=st.sampled_from(list(SortOrder)),
    total=st.integers(1, 12),
    tops=st.integers(1, 4),
    lean=st.booleans(),
)
def test_pages_are_the_old_paths_bytes(
    shared_engine: Engine,
    rows: list[Comment],
    cap: int,
    viewer: str,
    sort: SortOrder,
    total: int,
    tops: int,
    lean: bool,
) -> None:
    """Every page of the thread, new path vs old path: the same bytes; links as in memory."""
    store = _load(shared_engine, rows, cap)
    store.lean_public_reads = lean
    actor = VIEWERS[viewer]
    try:
        expected = _all_pages(OldPath(store), actor, sort, total, tops)
        assert expected == _all_pages(store, actor, sort, total, tops)
        without = _all_pages(OldNoCutCursor(store), actor, sort, total, tops)
        assert without == _all_pages(NoCutCursor(store), actor, sort, total, tops)
        memory = MemoryStore()
        memory.bulk_load(KEY, rows)
        assert _links(memory, actor, sort, total, tops) == _links(store, actor, sort, total, tops)
    finally:
        store.close()


@pytest.mark.parametrize("total_limit", [0, -1])
def test_the_family_read_checks_its_limit(sql_store: SqlCommentStore, total_limit: int) -> None:
    """A limit below one is refused, as ``subtree`` refuses it."""
    with pytest.raises(ValidationError):
        sql_store.subtree(1, visibility=Visibility(), total_limit=total_limit)
    with pytest.raises(ValidationError):
        sql_store.subtree_family(1, visibility=Visibility(), total_limit=total_limit)
