"""The lean write path of issue 12, on SQLite, PostgreSQL and MariaDB.

A post is one write transaction (the guards' re-checks, the insert, the
thread's counters and version), and the reads before it (the thread, bans,
flood control, duplicates) share one read transaction through
``SqlCommentStore.reads_together``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.errors import RateLimitedError, RejectedError, StorageUnavailableError
from threadkit.models import Identity, RequestContext, Status, Submission
from threadkit.moderation import default_pipeline

START = datetime(2026, 12, 2, tzinfo=UTC)


class Transactions:
    """Counts the transactions an engine begins, commits and rolls back."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.begun = self.committed = self.rolled_back = 0

    def __enter__(self) -> Transactions:
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)

    def _begin(self, conn: Any) -> None:
        self.begun += 1

    def _commit(self, conn: Any) -> None:
        self.committed += 1

    def _rollback(self, conn: Any) -> None:
        self.rolled_back += 1


@pytest.fixture
def engine(sql_store: SqlCommentStore) -> CommentEngine:
    """The engine with the default pipeline; its clock moves 16 s a reading (no flood)."""
    clock = ManualClock(START, step=timedelta(seconds=16))
    return CommentEngine(sql_store, pipeline=default_pipeline(sql_store), clock=clock)


def _post(engine: CommentEngine, n: int, parent_id: int | None = None) -> Any:
    return engine.post(
        "lean",
        Submission(f"Comment {n} with a [link](https://example.org/{n}).", parent_id=parent_id),
        Identity("anonymous", f"a{n}", f"Author {n}"),
        RequestContext(ip=f"192.0.2.{n}"),
    )


def test_a_post_is_one_read_and_one_write_transaction(
    engine: CommentEngine, sql_store: SqlCommentStore
) -> None:
    """Every check before the write shares one read; the write is the only commit."""
    first = _post(engine, 1)
    with Transactions(sql_store.engine) as seen:
        reply = _post(engine, 2, parent_id=first.id)
        _post(engine, 3)
    assert (Status.APPROVED, first.id, 1) == (reply.status, reply.root_id, reply.depth)
    assert (4, 2, 2) == (seen.begun, seen.committed, seen.rolled_back)
    thread = sql_store.get_thread("lean")
    assert thread is not None
    assert (3, 2) == (thread.comment_count, thread.top_level_count)


def test_the_write_still_refuses_what_the_early_reads_missed(
    engine: CommentEngine, sql_store: SqlCommentStore
) -> None:
    """A duplicate or a too-fast post stored after the shared read is caught by the write."""
    _post(engine, 1)
    ada = Identity("anonymous", "ada", "Ada")
    with sql_store.reads_together():
        assert not sql_store.has_duplicate("lean", "ada", "Twice")
        assert sql_store.latest_comment_at(author_key="ada") is None
        engine.post("lean", Submission("Twice"), ada)  # stored meanwhile (its own write)
    with pytest.raises(RejectedError) as duplicate:
        engine.post("lean", Submission("Twice"), ada)
    assert "duplicate" == duplicate.value.code
    quick = CommentEngine(sql_store, pipeline=default_pipeline(sql_store), clock=ManualClock(START))
    with pytest.raises(RateLimitedError):
        quick.post("lean", Submission("Another one"), ada)


def test_reads_in_a_block_share_one_transaction(sql_store: SqlCommentStore) -> None:
    """Three reads in a block begin one transaction; outside it, one each."""
    sql_store.ensure_thread("lean", now=START)
    with Transactions(sql_store.engine) as inside, sql_store.reads_together():
        for _ in range(3):
            assert sql_store.get_thread("lean") is not None
    with Transactions(sql_store.engine) as outside:
        for _ in range(3):
            assert sql_store.get_thread("lean") is not None
    assert (1, 3) == (inside.begun, outside.begun)


def test_a_failed_read_in_a_block_leaves_the_others_working(sql_store: SqlCommentStore) -> None:
    """A read that fails in the shared transaction does not break the reads after it."""
    sql_store.ensure_thread("lean", now=START)
    with sql_store.reads_together():
        # SQLite calls a missing table an outage; the servers, a programming error.
        with pytest.raises((sa.exc.DBAPIError, StorageUnavailableError)):
            sql_store._read(lambda conn: conn.exec_driver_sql("SELECT * FROM tk_no_such_table"))
        assert sql_store.get_thread("lean") is not None
        assert sql_store.latest_comment_at(ip="192.0.2.1") is None


def test_a_new_thread_is_made_inside_the_block(
    engine: CommentEngine, sql_store: SqlCommentStore
) -> None:
    """The first post of a thread creates it (a write) while the early reads are shared."""
    comment = _post(engine, 1)
    assert "lean" == comment.thread_key
    thread = sql_store.get_thread("lean")
    assert thread is not None
    assert 1 == thread.comment_count


def test_in_memory_sqlite_posts_with_reads_on_their_own() -> None:
    """One connection for everything: a block pins nothing, and posting works as before."""
    store = SqlCommentStore("sqlite://", upgrade=True)
    try:
        engine = CommentEngine(store, pipeline=default_pipeline(store))
        with Transactions(store.engine) as seen:
            comment = _post(engine, 1)
        assert Status.APPROVED is comment.status
        assert seen.begun > 2  # each read in its own transaction
    finally:
        store.close()
