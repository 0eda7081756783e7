"""The database goes away: every call fails within the store's timeout, then recovers.

PostgreSQL and MariaDB are reached through :class:`netproxy.TcpProxy`, which
can refuse connections or blackhole them (bytes silently dropped, as when a
network drops packets). The store runs with a short ``timeout`` so the tests
stay fast; a call still waiting well past it fails the test instead of hanging.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from netproxy import TcpProxy
from sqlalchemy import event
from sqlstore_backends import empty_tables
from threadkit_sqlalchemy import SqlCommentStore, create_engine

from threadkit.errors import StorageUnavailableError
from threadkit.models import Identity, NewComment, Status
from threadkit.testing.capabilities import NETWORK_SERVER

pytestmark = pytest.mark.capability(NETWORK_SERVER)

BOUND = 2.0
"""The store's timeout in these tests, in seconds."""

SLACK = 3.0
"""Scheduling on a busy 2-core machine; a store without a bound waits forever."""

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ADA = Identity("anonymous", "ada", "Ada")
DRIVER_WORDS = ("127.0.0.1", "psycopg", "pymysql", "server", "connection", "timed out")


def _comment(body: str = "hello") -> NewComment:
    return NewComment("t1", None, ADA, body, f"<p>{body}</p>", Status.APPROVED, T0)


def _thread_count(store: SqlCommentStore) -> int:
    thread = store.get_thread("t1")
    assert thread is not None
    return thread.comment_count


def _rows(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM tk_comments").scalar_one())


def timed(call: Callable[[], Any]) -> tuple[float, BaseException | None]:
    """Run ``call`` in a thread; return its duration and error, failing if it outlasts the bound."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        started = time.monotonic()
        try:
            call()
        except BaseException as error:
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BOUND + SLACK)
    if worker.is_alive():
        pytest.fail(f"the call was still waiting after {BOUND + SLACK} s (bound {BOUND} s)")
    return outcome["seconds"], outcome.get("error")


def store_through(
    proxy: TcpProxy, shared_url: sa.URL, shared_engine: sa.Engine, thread: str
) -> SqlCommentStore:
    """A store with a 2 s timeout reaching the emptied shared database through ``proxy``.

    It holds ``thread``, so its pool holds a live connection when the test cuts it.
    """
    empty_tables(shared_engine)
    made = SqlCommentStore(shared_url.set(host=proxy.host, port=proxy.port), timeout=BOUND)
    made.ensure_thread(thread, now=T0)
    return made


@pytest.fixture
def store(
    shared_url: sa.URL, proxy: TcpProxy, shared_engine: sa.Engine
) -> Iterator[SqlCommentStore]:
    """A store with a 2 s timeout that reaches its (emptied) database through ``proxy``."""
    made = store_through(proxy, shared_url, shared_engine, "t1")
    yield made
    made.close()


def assert_unavailable_within_bound(
    call: Callable[[], Any], caplog: pytest.LogCaptureFixture
) -> None:
    """``call`` fails within the bound with a 503-style error free of driver text, logged."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="threadkit_sqlalchemy"):
        seconds, error = timed(call)
    assert isinstance(error, StorageUnavailableError), error
    assert seconds < BOUND + SLACK
    assert [] == [word for word in DRIVER_WORDS if word in error.message.lower()]
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "comment database unavailable" in logged
    assert "OperationalError: " in logged  # the driver's own error, kept server-side


def test_a_blackholed_database_fails_a_read_within_the_timeout(
    store: SqlCommentStore, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    """A server that stops answering between calls: the next read fails within the timeout."""
    proxy.blackhole()
    assert_unavailable_within_bound(lambda: store.get_thread("t1"), caplog)


def test_a_blackhole_in_the_middle_of_a_post_fails_it_within_the_timeout_and_writes_nothing(
    store: SqlCommentStore,
    proxy: TcpProxy,
    shared_engine: sa.Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The line goes silent just before the INSERT: the post fails in time, no row is left."""

    def go_silent(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO tk_comments"):
            proxy.blackhole()

    event.listen(store.engine, "before_cursor_execute", go_silent)
    try:
        assert_unavailable_within_bound(lambda: store.add_comment(_comment()), caplog)
    finally:
        event.remove(store.engine, "before_cursor_execute", go_silent)
    proxy.pass_through()
    assert (0, 0) == (_thread_count(store), _rows(shared_engine))


def test_a_refused_database_fails_reads_and_writes_within_the_timeout(
    store: SqlCommentStore, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    """Connections reset and refused: reads and posts fail within the timeout."""
    proxy.refuse()
    assert_unavailable_within_bound(lambda: store.get_thread("t1"), caplog)
    assert_unavailable_within_bound(lambda: store.add_comment(_comment()), caplog)


@pytest.mark.parametrize("cut", ["blackhole", "refuse"])
def test_the_store_recovers_by_itself_when_the_database_returns(
    store: SqlCommentStore, proxy: TcpProxy, cut: str
) -> None:
    """After an outage the very next call succeeds on the same store (no restart)."""
    getattr(proxy, cut)()
    _, error = timed(lambda: store.get_thread("t1"))
    assert isinstance(error, StorageUnavailableError), error
    proxy.pass_through()
    comment = store.add_comment(_comment("back again"))
    assert ("back again", 1) == (comment.body_source, _thread_count(store))


def test_the_default_timeout_is_at_most_ten_seconds(shared_url: sa.URL, backend: str) -> None:
    """By default a call waits at most 10 s: the store, its pool and the server agree."""
    store = SqlCommentStore(shared_url)
    with store.engine.connect() as conn:
        if backend == "postgresql":
            server_limit = conn.exec_driver_sql("SHOW statement_timeout").scalar()
        else:
            server_limit = conn.exec_driver_sql("SELECT @@innodb_lock_wait_timeout").scalar()
    actual = (store.timeout, store.engine.pool.timeout(), server_limit)  # type: ignore[attr-defined]
    store.close()
    assert (10.0, 10.0, "10s" if backend == "postgresql" else 10) == actual


def test_a_timeout_longer_than_the_engine_allows_is_refused(shared_url: sa.URL) -> None:
    """connect_timeout and statement_timeout cannot exceed the overall timeout."""
    with pytest.raises(ValueError, match="statement_timeout must be"):
        create_engine(shared_url, timeout=2, statement_timeout=30)
