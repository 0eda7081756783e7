"""Conformance: a thread's count is exactly what a reader can reach.

``Thread.comment_count`` counts approved comments, and is the number a page
shows in its heading ("13 thoughts on ..."). This suite checks, for random
threads in which every comment has a random status, that an anonymous reader
who follows every page cursor, and every "N more replies" link (the engine's
``subtree``, with its own cursors), reaches exactly the approved comments:
none counted but unreachable (replies of a pending or spam comment), none
reachable but not counted. A hidden comment that holds the place of visible
replies must reach the reader as a placeholder: no author, no body.

:class:`CommentStoreSuite` includes this suite, so every store runs it; it
uses only the store fixture. Each example writes a fresh thread into the one
store (so a SQL fixture that builds a database per test stays affordable).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.models import DELETED_AUTHOR, Actor, Identity, NewComment, SortOrder, Status
from threadkit.pages import SubtreePage, ThreadPage
from threadkit.ports import CommentStore
from threadkit.tree import Overflow, TreeNode, walk

__all__ = ["ReachableCountSuite"]

_T0 = datetime(2026, 1, 1, tzinfo=UTC)
_AUTHORS = (Identity("anonymous", "counts-a", "Ada"), Identity("github", "counts-b", "Bob"))
_MAX_READS = 500  # pages and subtree pages one reader may fetch; far above any example
_keys = itertools.count(1)


@st.composite
def _forests(draw: st.DrawFn) -> list[tuple[int, Status]]:
    """Draw a thread's shape: (index of the parent or -1, status) per comment, oldest first."""
    size = draw(st.integers(1, 14))
    shape: list[tuple[int, Status]] = []
    for index in range(size):
        parent = draw(st.integers(-1, index - 1)) if index else -1
        shape.append((parent, draw(st.sampled_from(tuple(Status)))))
    return shape


def _write(store: CommentStore, key: str, shape: list[tuple[int, Status]]) -> list[int]:
    """Store the comments of ``shape`` in thread ``key``; return their ids in order."""
    store.ensure_thread(key, now=_T0)
    ids: list[int] = []
    for index, (parent, status) in enumerate(shape):
        author = DELETED_AUTHOR if status is Status.DELETED else _AUTHORS[index % 2]
        body = "" if status is Status.DELETED else f"comment {index}"
        draft = NewComment(
            thread_key=key,
            parent_id=None if parent < 0 else ids[parent],
            author=author,
            body_source=body,
            body_html=f"<p>{body}</p>" if body else "",
            status=status,
            created_at=_T0 + timedelta(seconds=index),
        )
        ids.append(store.add_comment(draft).id)
    return ids


class _Reader:
    """An anonymous reader who follows every cursor and every "more replies" link."""

    def __init__(self, engine: CommentEngine, top_limit: int, total_limit: int) -> None:
        self.engine = engine
        self.top_limit = top_limit
        self.total_limit = total_limit
        self.reached: list[TreeNode] = []
        self.reads = 0
        self.more: list[int] = []

    def read_thread(self, key: str, sort: SortOrder) -> None:
        """Read every page of ``key``, then every subtree a "more replies" link offers."""
        cursor: str | None = None
        while True:
            page = self.engine.page(
                key,
                Actor(),
                sort=sort,
                cursor=cursor,
                top_limit=self.top_limit,
                total_limit=self.total_limit,
            )
            self._take(page)
            cursor = page.next_cursor
            if cursor is None:
                break
        followed: set[int] = set()
        while self.more:
            comment_id = self.more.pop()
            if comment_id not in followed:
                followed.add(comment_id)
                self._read_subtree(comment_id)

    def _read_subtree(self, comment_id: int) -> None:
        cursor: str | None = None
        while True:
            page = self.engine.subtree(
                comment_id, Actor(), cursor=cursor, total_limit=self.total_limit
            )
            self._take(page)
            cursor = page.next_cursor
            if cursor is None:
                return

    def _take(self, page: ThreadPage | SubtreePage) -> None:
        self.reads += 1
        assert self.reads <= _MAX_READS, "the reader is going round in circles"
        for node in walk(page.nodes):
            self.reached.append(node)
            if node.more_replies:
                self.more.append(node.comment.id)


class ReachableCountSuite:
    """The count a reader is shown equals what that reader can reach, on every store."""

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        shape=_forests(),
        sort=st.sampled_from(tuple(SortOrder)),
        top_limit=st.integers(1, 4),
        total_limit=st.integers(1, 6),
        depth=st.sampled_from([None, 0, 1, 5]),
        overflow=st.sampled_from(tuple(Overflow)),
    )
    def test_count_equals_the_approved_comments_a_reader_reaches(
        self,
        store: CommentStore,
        shape: list[tuple[int, Status]],
        sort: SortOrder,
        top_limit: int,
        total_limit: int,
        depth: int | None,
        overflow: Overflow,
    ) -> None:
        """Paging and "more replies" reach exactly the comment_count approved comments."""
        key = f"counts-{next(_keys)}"
        ids = _write(store, key, shape)
        statuses = zip(ids, (status for _, status in shape), strict=True)
        approved = {cid for cid, status in statuses if status is Status.APPROVED}
        policy = EnginePolicy(max_display_depth=depth, overflow=overflow)
        reader = _Reader(CommentEngine(store, policy=policy), top_limit, total_limit)
        reader.read_thread(key, sort)
        reached = {node.comment.id for node in reader.reached}
        thread = store.get_thread(key)
        assert thread is not None
        assert (len(approved), approved) == (thread.comment_count, reached & approved)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(shape=_forests(), total_limit=st.integers(1, 6))
    def test_hidden_comments_reach_a_reader_only_as_placeholders(
        self, store: CommentStore, shape: list[tuple[int, Status]], total_limit: int
    ) -> None:
        """A pending or spam comment a reader reaches carries no author, body or reasons."""
        key = f"counts-{next(_keys)}"
        ids = _write(store, key, shape)
        hidden = {cid for cid, (_, status) in zip(ids, shape, strict=True) if status in _HIDDEN}
        reader = _Reader(CommentEngine(store), 4, total_limit)
        reader.read_thread(key, SortOrder.OLDEST)
        leaked = [
            node.comment
            for node in reader.reached
            if node.comment.id in hidden
            and (
                node.comment.status is not Status.DELETED
                or node.comment.author != DELETED_AUTHOR
                or node.comment.body_source
                or node.comment.body_html
                or node.comment.reasons
            )
        ]
        assert [] == leaked

    @pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM])
    def test_replies_of_a_hidden_top_level_comment_show_under_a_placeholder(
        self, store: CommentStore, status: Status
    ) -> None:
        """The "13 thoughts over 8 comments" bug: a held top-level comment keeps its replies."""
        key = f"counts-{next(_keys)}"
        top, reply, other = _write(
            store, key, [(-1, status), (0, Status.APPROVED), (-1, Status.APPROVED)]
        )
        page = CommentEngine(store).page(key)
        shown = [(node.comment.id, node.comment.status) for node in walk(page.nodes)]
        expected = [(top, Status.DELETED), (reply, Status.APPROVED), (other, Status.APPROVED)]
        assert (expected, 2) == (shown, page.thread.comment_count)

    @pytest.mark.parametrize("depth", [0, 5])
    def test_a_page_cut_before_the_replies_of_a_hidden_reply_still_reaches_them(
        self, store: CommentStore, depth: int
    ) -> None:
        """A full page whose top-level comment shows no link still offers what was cut."""
        key = f"counts-{next(_keys)}"
        approved, spam = Status.APPROVED, Status.SPAM
        top, _, _, under_spam = _write(
            store, key, [(-1, approved), (0, approved), (0, spam), (2, approved)]
        )
        engine = CommentEngine(store, policy=EnginePolicy(max_display_depth=depth))
        page = engine.page(key, total_limit=2)
        more = engine.subtree(top, total_limit=10)
        assert (1, [under_spam]) == (
            page.nodes[0].more_replies,
            [node.comment.id for node in walk(more.nodes) if node.comment.id == under_spam],
        )


_HIDDEN = (Status.PENDING, Status.SPAM)
