"""SQLite transactions without a SQLAlchemy ``Connection`` (``_lean``, issue 12).

A post's two transactions run on the pooled driver connection while nobody
listens to the engine's connection events. These tests pin what must not
change: the pool hands out and takes back every connection, a statement that
is not prepared joins the same transaction through SQLAlchemy, a failure rolls
everything back, a locked database is ``StorageUnavailableError``, a connection
that broke is discarded, and a listener sees every transaction as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from thread_rows import new_thread_row
from threadkit_sqlalchemy import SqlCommentStore, create_engine
from threadkit_sqlalchemy._fast import Prepared
from threadkit_sqlalchemy._lean import LeanTransaction
from threadkit_sqlalchemy._schema import threads

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.errors import StorageUnavailableError
from threadkit.models import Identity, RequestContext, Status, Submission
from threadkit.moderation import default_pipeline

START = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
_INSERT_THREAD = Prepared(sa.insert(threads))
_KEYS = sa.select(threads.c.key).order_by(threads.c.key)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlCommentStore]:
    """A store on a fresh SQLite file (WAL), the way an application makes one."""
    made = SqlCommentStore(f"sqlite:///{tmp_path}/lean.db", upgrade=True, timeout=1.0)
    yield made
    made.close()


def _engine(store: SqlCommentStore) -> CommentEngine:
    clock = ManualClock(START, step=timedelta(seconds=16))
    return CommentEngine(store, pipeline=default_pipeline(store), clock=clock)


def _post(engine: CommentEngine, n: int, parent_id: int | None = None) -> Any:
    return engine.post(
        "lean",
        Submission(f"Comment {n} with a [link](https://example.org/{n}).", parent_id=parent_id),
        Identity("anonymous", f"a{n}", f"Author {n}"),
        RequestContext(ip=f"192.0.2.{n}"),
    )


class PoolUse:
    """Counts the pool's checkouts and check-ins (pool events: not connection events)."""

    def __init__(self, store: SqlCommentStore) -> None:
        self.pool = store.engine.pool
        self.out = self.back = 0

    def __enter__(self) -> PoolUse:
        event.listen(self.pool, "checkout", self._checkout)
        event.listen(self.pool, "checkin", self._checkin)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.pool, "checkout", self._checkout)
        event.remove(self.pool, "checkin", self._checkin)

    def _checkout(self, *args: Any) -> None:
        self.out += 1

    def _checkin(self, *args: Any) -> None:
        self.back += 1


def _keys(store: SqlCommentStore) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(_KEYS).scalars())


def test_a_post_runs_two_transactions_on_one_pooled_connection_and_makes_no_connection_object(
    store: SqlCommentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unwatched, a post checks out one pooled connection for both transactions, no Connection."""
    engine = _engine(store)
    first = _post(engine, 1)  # the first post also learns the journal mode
    made: list[object] = []
    init = Connection.__init__

    def counting(self: Connection, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "__init__", counting)
    with PoolUse(store) as pool:
        reply = _post(engine, 2, parent_id=first.id)
        top = _post(engine, 3)
    assert ([], 2, 2) == (made, pool.out, pool.back)
    assert (Status.APPROVED, first.id, 1) == (reply.status, reply.root_id, reply.depth)
    assert top.id == top.root_id
    thread = store.get_thread("lean")
    assert thread is not None
    assert (3, 2) == (thread.comment_count, thread.top_level_count)
    assert 1 == store.get_comment(first.id).reply_count  # type: ignore[union-attr]


def test_a_statement_that_is_not_prepared_joins_the_lean_transaction(
    store: SqlCommentStore,
) -> None:
    """``conn.execute`` inside a lean write sees its own uncommitted row; both commit together."""
    seen: list[tuple[bool, list[str]]] = []

    def work(conn: Connection) -> None:
        _INSERT_THREAD.insert(conn, new_thread_row("one", START))
        lean = isinstance(conn, LeanTransaction)
        conn.execute(sa.insert(threads).values(new_thread_row("two", START)))  # joins
        _INSERT_THREAD.insert(conn, new_thread_row("three", START))  # still on the driver
        seen.append((lean, list(conn.execute(_KEYS).scalars())))

    with PoolUse(store) as pool:
        store._write(work)
    assert [(True, ["one", "three", "two"])] == seen
    assert (["one", "three", "two"], 1, 1) == (_keys(store), pool.out, pool.back)


@pytest.mark.parametrize("joined", [False, True], ids=["driver", "joined"])
def test_a_failure_rolls_the_lean_transaction_back(store: SqlCommentStore, joined: bool) -> None:
    """An error after writes leaves nothing, on the driver or joined; the connection goes back."""

    def work(conn: Connection) -> None:
        _INSERT_THREAD.insert(conn, new_thread_row("gone", START))
        if joined:
            conn.execute(sa.insert(threads).values(new_thread_row("gone too", START)))
        raise RuntimeError("injected after the writes")

    with PoolUse(store) as pool, pytest.raises(RuntimeError):
        store._write(work)
    assert ([], 1, 1) == (_keys(store), pool.out, pool.back)
    store.ensure_thread("after", now=START)
    assert ["after"] == _keys(store)


def test_a_locked_database_is_unavailable_and_the_post_is_not_stored(
    store: SqlCommentStore,
) -> None:
    """Another writer holding SQLite's lock past the busy timeout: StorageUnavailableError."""
    engine = _engine(store)
    _post(engine, 1)
    assert store.engine.url.database is not None
    blocker = sqlite3.connect(store.engine.url.database, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageUnavailableError):
            _post(engine, 2)
        blocker.execute("ROLLBACK")
    finally:
        blocker.close()
    assert 0 == store.engine.pool.checkedout()  # type: ignore[attr-defined]
    assert Status.APPROVED is _post(engine, 3).status
    thread = store.get_thread("lean")
    assert thread is not None
    assert 2 == thread.comment_count


def _close_driver(conn: Any) -> None:
    """Break the transaction's connection the way a closed database breaks it."""
    assert isinstance(conn, LeanTransaction)
    conn.driver.close()


@pytest.mark.parametrize("then", ["statement", "error"])
def test_a_connection_that_broke_is_discarded_from_the_pool(
    store: SqlCommentStore, then: str
) -> None:
    """Closed under a lean transaction: never pooled again; the next call gets a new one."""
    store.ensure_thread("t", now=START)
    connects: list[object] = []
    event.listen(store.engine.pool, "connect", lambda *args: connects.append(args))

    def work(conn: Connection) -> None:
        _close_driver(conn)
        if then == "statement":  # the dialect calls it a disconnect: an outage
            _INSERT_THREAD.insert(conn, new_thread_row("never", START))
        raise RuntimeError("injected after the connection closed")  # the rollback fails

    raised = StorageUnavailableError if then == "statement" else RuntimeError
    with pytest.raises(raised):
        store._write(work)
    assert 0 == store.engine.pool.checkedout()  # type: ignore[attr-defined]
    assert ["t"] == _keys(store)  # a fresh connection
    store.ensure_thread("u", now=START)
    assert (["t", "u"], 1) == (_keys(store), len(connects))


def test_reads_in_a_block_share_one_lean_transaction(store: SqlCommentStore) -> None:
    """A ``reads_together`` block checks out one connection for all its reads."""
    store.ensure_thread("lean", now=START)
    with store.reads_together():
        assert store.get_thread("lean") is not None  # the first block learns the journal mode
    with PoolUse(store) as inside, store.reads_together():
        for _ in range(3):
            assert store.get_thread("lean") is not None
            assert store.latest_comment_at(ip="192.0.2.1") is None
        pinned = store._pinned.get()
    assert (True, 1, 1) == (isinstance(pinned, LeanTransaction), inside.out, inside.back)


def test_a_write_in_a_block_takes_its_connection_and_later_reads_go_on_their_own(
    store: SqlCommentStore,
) -> None:
    """The block's read ends; the write commits on its connection; the next read is fresh."""
    store.ensure_thread("lean", now=START)
    with store.reads_together():
        assert store.get_thread("lean") is not None  # the first block learns the journal mode
    seen: list[object] = []

    def work(conn: Any) -> None:
        seen.append(conn)
        _INSERT_THREAD.insert(conn, new_thread_row("written", START))

    with PoolUse(store) as pool, store.reads_together():
        assert store.get_thread("written") is None  # the block's snapshot
        pinned = store._pinned.get()
        store._write(work)
        assert (None, 0) == (store._pinned.get(), store.engine.pool.checkedout())  # type: ignore[attr-defined]
        assert store.get_thread("written") is not None  # on its own: sees the write
    assert ([pinned], 2, 2) == (seen, pool.out, pool.back)
    assert ["lean", "written"] == _keys(store)


def test_a_failed_write_in_a_block_rolls_back_and_hands_its_connection_back(
    store: SqlCommentStore,
) -> None:
    """A write that fails on the block's connection leaves nothing behind, nothing checked out."""
    store.ensure_thread("lean", now=START)

    def work(conn: Any) -> None:
        _INSERT_THREAD.insert(conn, new_thread_row("never", START))
        raise RuntimeError("injected")

    with store.reads_together():
        assert store.get_thread("lean") is not None
        with pytest.raises(RuntimeError):
            store._write(work)
        assert 0 == store.engine.pool.checkedout()  # type: ignore[attr-defined]
    assert ["lean"] == _keys(store)
    assert 0 == store.engine.pool.checkedout()  # type: ignore[attr-defined]


def test_a_watched_write_in_a_block_returns_the_blocks_connection_first(
    store: SqlCommentStore,
) -> None:
    """On the plain path a post never holds two pooled connections at once."""
    store.ensure_thread("lean", now=START)
    out: list[int] = []

    def work(conn: Any) -> None:
        out.append(store.engine.pool.checkedout())  # type: ignore[attr-defined]
        assert not isinstance(conn, LeanTransaction)

    def commit(conn: Any) -> None:
        pass

    event.listen(store.engine, "commit", commit)
    try:
        with store.reads_together():
            assert store.get_thread("lean") is not None
            assert 1 == store.engine.pool.checkedout()  # type: ignore[attr-defined]
            store._write(work)
            assert store.get_thread("lean") is not None
    finally:
        event.remove(store.engine, "commit", commit)
    assert [1] == out


def test_a_listener_sees_every_transaction_and_the_lean_path_comes_back(
    store: SqlCommentStore,
) -> None:
    """Listening to commits takes the plain path (each one seen); removed, lean again."""
    engine = _engine(store)
    _post(engine, 1)
    commits: list[object] = []

    def commit(conn: Any) -> None:
        commits.append(conn)

    kinds: list[bool] = []

    def work(conn: Connection) -> None:
        kinds.append(isinstance(conn, LeanTransaction))

    event.listen(store.engine, "commit", commit)
    _post(engine, 2)
    store._write(work)
    event.remove(store.engine, "commit", commit)
    heard = len(commits)
    _post(engine, 3)
    store._write(work)
    assert (2, heard, [False, True]) == (heard, len(commits), kinds)  # a post commits once


def test_an_engine_not_made_by_create_engine_takes_the_plain_path(tmp_path: Path) -> None:
    """A plain SQLAlchemy engine (no store ``begin`` listener) never runs lean transactions."""
    url = f"sqlite:///{tmp_path}/plain.db"
    SqlCommentStore(url, upgrade=True).close()
    plain = sa.create_engine(url)
    ours = create_engine(url)
    try:
        kinds = [SqlCommentStore(each)._lean for each in (plain, ours)]
    finally:
        plain.dispose()
        ours.dispose()
    assert [False, True] == kinds


@pytest.mark.parametrize(
    "name",
    [
        "begin",
        "commit",
        "rollback",
        "before_execute",
        "after_execute",
        "before_cursor_execute",
        "after_cursor_execute",
        "engine_connect",
        "handle_error",
    ],
)
def test_any_connection_event_listener_turns_the_lean_path_off(
    store: SqlCommentStore, name: str
) -> None:
    """Whoever listens to a connection event the lean path skips gets the plain path."""
    kinds: list[bool] = []

    def listener(*args: Any, **kwargs: Any) -> None:
        return None

    def work(conn: Connection) -> None:
        kinds.append(isinstance(conn, LeanTransaction))

    store._write(work)
    event.listen(store.engine, name, listener)
    try:
        store._write(work)
    finally:
        event.remove(store.engine, name, listener)
    store._write(work)
    assert [True, False, True] == kinds


@pytest.mark.parametrize("hide", [False, True], ids=["shown", "hidden"])
def test_a_driver_error_is_sqlalchemys_and_hides_what_the_engine_hides(
    tmp_path: Path, hide: bool
) -> None:
    """A refused row: ``IntegrityError``, nothing kept, values shown as the engine shows them."""
    url = f"sqlite:///{tmp_path}/hide.db"
    SqlCommentStore(url, upgrade=True).close()
    store = SqlCommentStore(create_engine(url, hide_parameters=hide))

    def work(conn: Connection) -> None:
        assert isinstance(conn, LeanTransaction)
        _INSERT_THREAD.insert(conn, new_thread_row("secret-key", START))
        _INSERT_THREAD.insert(conn, new_thread_row("secret-key", START))

    try:
        with pytest.raises(sa.exc.IntegrityError) as refused:
            store._write(work)
        assert [] == _keys(store)
    finally:
        store.engine.dispose()
    assert (not hide) == ("secret-key" in str(refused.value))
