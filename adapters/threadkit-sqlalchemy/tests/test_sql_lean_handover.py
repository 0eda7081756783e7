"""A write inside ``reads_together`` and the block's lean connection (``_lean``, issue 12).

The write takes the block's connection when it can (``LeanTransaction.begin_again``)
and otherwise hands it back before it begins. Either way the block closes that
connection again on its way out: the second close must do nothing, and a COMMIT
that fails on a reused connection must leave it pooled without a transaction.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection
from thread_rows import new_thread_row
from threadkit_sqlalchemy import SqlCommentStore
from threadkit_sqlalchemy._fast import Prepared
from threadkit_sqlalchemy._lean import LeanTransaction
from threadkit_sqlalchemy._schema import threads

from threadkit.engine import CommentEngine
from threadkit.errors import StorageUnavailableError
from threadkit.models import Identity, RequestContext, Submission
from threadkit.moderation import default_pipeline

START = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
_INSERT_THREAD = Prepared(sa.insert(threads))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlCommentStore]:
    """A store on a fresh SQLite file (WAL), whose journal mode is already known."""
    made = SqlCommentStore(f"sqlite:///{tmp_path}/handover.db", upgrade=True, timeout=1.0)
    made.ensure_thread("first", now=START)
    with made.reads_together():
        made.get_thread("first")  # the first block learns the journal mode
    yield made
    made.close()


def _checked_out(store: SqlCommentStore) -> int:
    return int(store.engine.pool.checkedout())  # type: ignore[attr-defined]


def test_a_write_after_a_joined_read_leaves_the_block_to_close_cleanly(
    store: SqlCommentStore,
) -> None:
    """A block whose lean read joined SQLAlchemy is closed twice: the second does nothing."""
    with store.reads_together():
        pinned = store._pinned.get()
        # Not a prepared statement: the read joins a Connection (not reusable by a write).
        assert 1 == store._read(lambda conn: conn.execute(sa.text("SELECT 1")).scalar())
        assert isinstance(pinned, LeanTransaction)
        assert pinned._joined is not None
        store._write(lambda conn: _INSERT_THREAD.insert(conn, new_thread_row("second", START)))
        assert 0 == _checked_out(store)
    assert 0 == _checked_out(store)
    assert store.get_thread("second") is not None


def test_a_retried_write_in_a_block_takes_a_fresh_connection(store: SqlCommentStore) -> None:
    """Only the first attempt runs on the block's connection: a retry checks out its own."""
    seen: list[object] = []

    def work(conn: Connection) -> None:
        seen.append(conn)
        # The first attempt collides (as with a parallel writer's row): the store retries.
        key = "first" if len(seen) == 1 else "second"
        _INSERT_THREAD.insert(conn, new_thread_row(key, START))

    out: list[int] = []
    with store.reads_together():
        pinned = store._pinned.get()
        store._write(work)
        out.append(_checked_out(store))
    assert [0] == out
    assert 2 == len(seen)
    assert seen[0] is pinned
    assert seen[1] is not pinned
    assert isinstance(seen[1], LeanTransaction)
    assert store.get_thread("second") is not None


def test_a_failed_read_in_a_block_hands_its_connection_back_at_once(
    sql_store: SqlCommentStore,
) -> None:
    """After a shared read fails, the block's later reads and write hold one connection, not two."""
    sql_store.ensure_thread("lean", now=START)
    pool: Any = sql_store.engine.pool
    before = pool.checkedout()
    held: list[int] = []

    def write(conn: Connection) -> None:
        held.append(pool.checkedout() - before)

    with sql_store.reads_together():
        assert sql_store.get_thread("lean") is not None
        # SQLite calls a missing table an outage; the servers, a programming error.
        with pytest.raises((exc.DBAPIError, StorageUnavailableError)):
            sql_store._read(lambda conn: conn.exec_driver_sql("SELECT * FROM tk_no_such_table"))
        held.append(pool.checkedout() - before)
        sql_store._read(lambda conn: held.append(pool.checkedout() - before))
        sql_store._write(write)
    assert [0, 1, 1] == held
    assert before == pool.checkedout()


def test_a_write_that_cannot_begin_on_the_blocks_connection_hands_it_back(
    store: SqlCommentStore,
) -> None:
    """BEGIN IMMEDIATE refused (another writer holds the lock): nothing stays checked out."""
    ran: list[object] = []
    assert store.engine.url.database is not None
    blocker = sqlite3.connect(store.engine.url.database, isolation_level=None)
    try:
        with store.reads_together():
            assert store.get_thread("first") is not None
            blocker.execute("BEGIN IMMEDIATE")
            with pytest.raises(StorageUnavailableError):
                store._write(ran.append)
            assert 0 == _checked_out(store)
            blocker.execute("ROLLBACK")
    finally:
        blocker.close()
    assert [] == ran
    assert 0 == _checked_out(store)


@pytest.mark.parametrize("how", ["echo", "logger"])
def test_an_engine_that_logs_statements_logs_a_posts_statements(tmp_path: Path, how: str) -> None:
    """``echo`` (or the ``sqlalchemy.engine`` logger at INFO) sees the post's INSERT, as before."""
    options = {"echo": True} if how == "echo" else {}
    made = SqlCommentStore(
        f"sqlite:///{tmp_path}/echo.db", upgrade=True, timeout=1.0, engine_options=options
    )
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("sqlalchemy.engine")
    level = logger.level
    logger.addHandler(handler)
    if how == "logger":
        logger.setLevel(logging.INFO)
    try:
        engine = CommentEngine(made, pipeline=default_pipeline(made))
        ada, bob = Identity("anonymous", "ada", "Ada"), Identity("anonymous", "bob", "Bob")
        engine.post("t", Submission("First"), ada, RequestContext(ip="192.0.2.1"))
        records.clear()  # the first post also learns the journal mode
        engine.post("t", Submission("Second"), bob, RequestContext(ip="192.0.2.2"))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        made.close()
    logged = [str(record.msg) for record in records]
    assert any(message.startswith("INSERT INTO tk_comments") for message in logged)
    assert any(message.startswith("SELECT") for message in logged)
