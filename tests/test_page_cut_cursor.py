"""Issue #12: a cut page counts "N more replies" from the rows after it, not from a re-read.

When a page's first top-level comment is cut at ``total_limit``, the engine
needs that comment's subtree up to one batch past the page to count exactly
what each link adds. Stores hand back a ``cut_cursor`` with the page, so the
engine reads only the rows after the page; a store without one still works
(the engine reads the page's rows again). Both stores are checked against the
reader's own test (follow every link and count what is new) and against the
old re-read, on generated threads with deep debate chains.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from threadkit._more import FIRST_READ
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.models import Actor, Comment, CommentRows, Identity, Status
from threadkit.ports import CommentStore
from threadkit.testing.generate import generate_thread
from threadkit.tree import TreeNode, walk

sql = pytest.importorskip("threadkit_sqlalchemy")

KEY = "generated"
MODERATOR = Actor(Identity("local", "mod", "Mod"), moderator=True)


class Spy:
    """A store proxy that records ``subtree`` calls and can withhold ``cut_cursor``."""

    def __init__(self, store: CommentStore, *, cut_cursors: bool = True) -> None:
        self.store = store
        self.cut_cursors = cut_cursors
        self.subtree_calls: list[dict[str, Any]] = []

    def page(self, thread_key: str, **options: Any) -> CommentRows:
        """Answer as the store does, without the cut cursor when told to."""
        rows: CommentRows = self.store.page(thread_key, **options)
        return rows if self.cut_cursors else attrs.evolve(rows, cut_cursor=None)

    def subtree(self, comment_id: int, **options: Any) -> CommentRows:
        """Record the call, then answer as the store does."""
        self.subtree_calls.append(options)
        rows: CommentRows = self.store.subtree(comment_id, **options)
        return rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture(params=["memory", "sql", "sql-depth-cap-3"])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[CommentStore]:
    """A store holding one generated 1,500-comment thread (deep chains included)."""
    rows = generate_thread(1_500, seed=7, thread_key=KEY)
    if request.param == "memory":
        memory = MemoryStore()
        memory.bulk_load(KEY, rows)
        yield memory
        return
    cap = 3 if request.param.endswith("cap-3") else 100
    store = sql.SqlCommentStore(
        f"sqlite:///{tmp_path / 'cut.db'}", upgrade=True, storage_depth_cap=cap
    )
    store.bulk_load(KEY, rows)
    try:
        yield store
    finally:
        store.close()


def _engine(store: Any, total_limit: int) -> CommentEngine:
    policy = EnginePolicy(total_limit=total_limit, top_limit=5, max_display_depth=3)
    return CommentEngine(store, policy=policy)


def _links(nodes: list[TreeNode]) -> dict[int, int]:
    return {node.comment.id: node.more_replies for node in walk(nodes) if node.more_replies}


@pytest.mark.parametrize("total_limit", [2, 7, 60, 333])
@pytest.mark.parametrize("viewer", [Actor(), MODERATOR], ids=["public", "moderator"])
def test_links_count_what_their_click_adds(
    store: CommentStore, total_limit: int, viewer: Actor
) -> None:
    """Every link's number is what its click adds, and the cut read starts after the page."""
    spy = Spy(store)
    engine = _engine(spy, total_limit)
    page = engine.page(KEY, viewer)
    shown = {node.comment.id for node in walk(page.nodes)}
    assert total_limit == len(shown)  # the first top-level comment fills the page: cut
    links = _links(page.nodes)
    assert links, "a cut page links to the rest of its first comment"
    # One extra read, after the page (a cursor): its first rows settle every link of
    # this thread at every limit here (a thread that needs the second read is below).
    reads = [(call["total_limit"], call["cursor"] is not None) for call in spy.subtree_calls]
    assert reads == [(min(total_limit, FIRST_READ), True)]
    for comment_id, count in links.items():
        batch = engine.subtree(comment_id, viewer)
        added = [node.comment.id for node in walk(batch.nodes) if node.comment.id not in shown]
        assert count == len(added), f"link on {comment_id}"


@pytest.mark.parametrize("total_limit", [1, 2, 7, 60, 333])
def test_counts_match_a_store_without_cut_cursors(store: CommentStore, total_limit: int) -> None:
    """A store that offers no cut cursor gets the same counts from the page's rows read again."""
    with_cursor, without = Spy(store), Spy(store, cut_cursors=False)
    expected = _links(_engine(without, total_limit).page(KEY).nodes)
    assert expected == _links(_engine(with_cursor, total_limit).page(KEY).nodes)
    assert len(without.subtree_calls) == len(with_cursor.subtree_calls) == 1
    reads = [(call.get("cursor"), call["total_limit"]) for call in without.subtree_calls]
    assert reads == [(None, total_limit - 1 + min(total_limit, FIRST_READ))]


def test_page_offers_a_cut_cursor_only_when_cut(store: CommentStore) -> None:
    """A page that ends between top-level comments has no cut cursor; a cut one has one."""
    from threadkit.models import SortOrder, Visibility

    options: dict[str, Any] = {"sort": SortOrder.OLDEST, "visibility": Visibility()}
    assert store.page(KEY, top_limit=1, total_limit=10, **options).cut_cursor is not None
    assert store.page(KEY, top_limit=1, total_limit=1, **options).cut_cursor is None
    whole = store.page(KEY, top_limit=200, total_limit=2000, **options)
    assert whole.cut_cursor is None
    # The cursor continues exactly after the page's rows.
    cut = store.page(KEY, top_limit=1, total_limit=10, **options)
    top = cut.comments[0].id
    after = store.subtree(top, visibility=Visibility(), cursor=cut.cut_cursor, total_limit=5)
    straight = store.subtree(top, visibility=Visibility(), total_limit=14)
    assert [c.id for c in straight.comments] == [c.id for c in [*cut.comments[1:], *after.comments]]


def _wide_late_reply_thread() -> list[Comment]:
    """One top-level comment: a reply with 40 replies, then a reply with 100.

    Cut at 60 rows, the page ends 17 replies into the second reply (row 42 of
    the page), whose link adds 43 comments: more than the first rows past the
    cut can settle, since all of them are that reply's.
    """
    parents: dict[int, int | None] = {1: None, 2: 1, 43: 1}
    parents.update({child: 2 for child in range(3, 43)})
    parents.update({child: 43 for child in range(44, 144)})
    replies = {parent: 0 for parent in parents}
    for parent in parents.values():
        if parent is not None:
            replies[parent] += 1
    depth = {1: 0, 2: 1, 43: 1}
    rows = generate_thread(len(parents), seed=3, thread_key=KEY)
    return [
        attrs.evolve(
            row,
            parent_id=parents[row.id],
            root_id=1,
            depth=depth.get(row.id, 2),
            reply_count=replies[row.id],
            status=Status.APPROVED,
        )
        for row in rows
    ]


@pytest.mark.parametrize("cut_cursors", [True, False], ids=["cut-cursor", "re-read"])
@pytest.mark.parametrize("kind", ["memory", "sql", "sql-depth-cap-2"])
def test_a_link_the_first_rows_do_not_settle_gets_the_whole_batch_read(
    kind: str, cut_cursors: bool, tmp_path: Any
) -> None:
    """The second read happens when a link's share of the batch is past the first rows.

    With a cut cursor both reads start after the page; without one, both read the
    page's rows again (59) with the rows past it (32, then the batch of 60).
    """
    rows = _wide_late_reply_thread()
    store: Any
    if kind == "memory":
        store = MemoryStore()
    else:
        cap = 2 if kind.endswith("cap-2") else 100
        url = f"sqlite:///{tmp_path / 'wide.db'}"
        store = sql.SqlCommentStore(url, upgrade=True, storage_depth_cap=cap)
    store.bulk_load(KEY, rows)
    spy = Spy(store, cut_cursors=cut_cursors)
    engine = _engine(spy, 60)
    page = engine.page(KEY)
    shown = [node.comment.id for node in walk(page.nodes)]
    assert shown == [1, 2, *range(3, 43), 43, *range(44, 61)]
    reads = [(call["total_limit"], call.get("cursor") is not None) for call in spy.subtree_calls]
    if cut_cursors:
        assert reads == [(FIRST_READ, True), (60, True)]
    else:
        assert reads == [(59 + FIRST_READ, False), (59 + 60, False)]
    links = _links(page.nodes)
    assert links == {1: 1, 43: 43}
    for comment_id, count in links.items():
        batch = engine.subtree(comment_id, Actor())
        added = [node.comment.id for node in walk(batch.nodes) if node.comment.id not in shown]
        assert count == len(added), f"link on {comment_id}"
    if kind != "memory":
        store.close()
