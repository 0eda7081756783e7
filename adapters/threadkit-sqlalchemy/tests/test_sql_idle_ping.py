"""Pooled connections are pinged only after sitting idle (PostgreSQL, MariaDB).

A ping is a round trip to the server. Pinging on every checkout (SQLAlchemy's
``pool_pre_ping``) cost a cached page read one of its four round trips on a
server 1 ms away (issue 12), so only a connection idle for ``ping_after``
seconds is pinged; a dead one found that way is replaced before the call uses it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.mysql.pymysql import MySQLDialect_pymysql
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine.default import DefaultDialect
from threadkit_sqlalchemy import SqlCommentStore, create_engine

from threadkit.clock import ManualClock
from threadkit.errors import StorageUnavailableError
from threadkit.testing.capabilities import NETWORK_SERVER
from threadkit.testing.store_kit import T0, Kit

pytestmark = pytest.mark.capability(NETWORK_SERVER)


@pytest.fixture
def open_kit(shared_url: sa.URL, sql_store: SqlCommentStore) -> Iterator[Callable[[float], Kit]]:
    """Open a store with ``ping_after`` and a thread ``t1`` on the shared database."""
    opened: list[SqlCommentStore] = []

    def open_(ping_after: float) -> Kit:
        # One pooled connection, so the one killed is the one the next call gets.
        options = {"ping_after": ping_after, "pool_size": 1, "max_overflow": 0}
        store = SqlCommentStore(shared_url, engine_options=options)
        opened.append(store)
        kit = Kit(store, ManualClock(T0))
        kit.thread()
        return kit

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Record the commands psycopg sends on its own (BEGIN, COMMIT, ROLLBACK)."""
    import psycopg._connection_base as base

    seen: list[bytes] = []
    original = base.BaseConnection._exec_command

    def counted(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(command if isinstance(command, bytes) else str(command).encode())
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(base.BaseConnection, "_exec_command", counted)
    return seen


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every ping any engine sends (the dialect classes are shared)."""
    seen: list[float] = []
    for cls in (PGDialect_psycopg, MySQLDialect_pymysql):
        original = cls.do_ping

        def counted(self: DefaultDialect, dbapi_connection: Any, _original: Any = original) -> bool:
            seen.append(time.monotonic())
            return bool(_original(self, dbapi_connection))

        monkeypatch.setattr(cls, "do_ping", counted)
    return seen


def _kill_pooled_session(kit: Kit, backend: str) -> None:
    """Terminate the server session behind the kit's store's one pooled connection."""
    store = kit.store
    assert isinstance(store, SqlCommentStore)
    with store.engine.connect() as conn:
        query = "SELECT pg_backend_pid()" if backend == "postgresql" else "SELECT CONNECTION_ID()"
        session = int(conn.exec_driver_sql(query).scalar_one())
    admin = create_engine(store.engine.url)
    with admin.connect() as conn:
        if backend == "postgresql":
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": session})
        else:
            conn.exec_driver_sql(f"KILL {session}")
    admin.dispose()
    time.sleep(0.2)  # let the server close the socket


def test_a_connection_in_steady_use_is_not_pinged(
    open_kit: Callable[[float], Kit], pings: list[float]
) -> None:
    """Calls a moment apart reuse the pooled connection without a ping round trip."""
    kit = open_kit(30)
    for _ in range(5):
        kit.add()
        kit.store.get_thread("t1")
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
    backend: str, open_kit: Callable[[float], Kit], pings: list[float]
) -> None:
    """Past ``ping_after`` the ping finds the killed connection; the call still succeeds."""
    kit = open_kit(0.3)
    _kill_pooled_session(kit, backend)
    time.sleep(0.4)
    comment = kit.add()  # the ping fails, the pool connects anew, the post goes through
    assert len(pings) >= 1
    assert [comment.id] == kit.ids()


def test_ping_after_zero_pings_every_checkout(
    backend: str, open_kit: Callable[[float], Kit], pings: list[float]
) -> None:
    """``ping_after=0`` is the old behaviour: every checkout pinged, a dead connection replaced."""
    kit = open_kit(0)
    before = len(pings)
    kit.store.get_thread("t1")
    assert len(pings) == before + 1
    _kill_pooled_session(kit, backend)
    assert kit.add().id in kit.ids()


def test_a_dead_connection_used_within_ping_after_fails_once_then_recovers(
    backend: str, open_kit: Callable[[float], Kit]
) -> None:
    """The documented price: one StorageUnavailableError, nothing written, then a new pool."""
    kit = open_kit(30)
    _kill_pooled_session(kit, backend)
    with pytest.raises(StorageUnavailableError):
        kit.add()
    assert kit.ids() == []
    assert [kit.add().id] == kit.ids()


def test_ping_after_is_checked() -> None:
    """A negative or absurd ``ping_after`` is refused with a message that says the range."""
    with pytest.raises(ValueError, match=r"ping_after must be within 0\.\.3600"):
        create_engine("postgresql+psycopg://x@127.0.0.1/x", ping_after=-1)


@pytest.mark.backends("postgresql")
def test_one_statement_reads_send_no_begin_or_commit_on_postgresql(
    open_kit: Callable[[float], Kit], commands: list[bytes]
) -> None:
    """A page cache's version check and a thread read are one round trip, not three."""
    kit = open_kit(30)
    store = kit.store
    assert isinstance(store, SqlCommentStore)
    commands.clear()
    assert store.thread_version("t1") is not None
    thread = store.get_thread("t1")
    assert thread is not None
    assert thread.key == "t1"
    assert store.thread_version("nope") is None
    assert commands == []
    # Writes keep their transaction, and the pooled connection is back out of autocommit.
    kit.add()
    assert commands[0].startswith(b"BEGIN")
    assert commands[-1] == b"COMMIT"


@pytest.mark.backends("postgresql")
def test_reads_together_send_no_begin_or_rollback_on_postgresql(
    open_kit: Callable[[float], Kit], commands: list[bytes]
) -> None:
    """The reads before a post share one connection and no transaction (READ COMMITTED)."""
    kit = open_kit(30)
    store = kit.store
    assert isinstance(store, SqlCommentStore)
    first = kit.add()
    commands.clear()
    with store.reads_together():
        assert store.get_comment(first.id) == first
        assert store.ensure_thread("t1", now=T0).key == "t1"
    assert commands == []
