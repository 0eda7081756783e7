"""Engines configured the way threadkit needs each backend, and error mapping.

* SQLite: WAL, foreign keys on, a busy timeout, ``synchronous`` FULL by default;
  the driver's own transaction handling is switched off so writes can start
  with ``BEGIN IMMEDIATE`` (a writer takes the lock up front and never fails
  half-way with "database is locked" on upgrade).
* PostgreSQL (psycopg 3): ``READ COMMITTED``, a server-side
  ``statement_timeout``, TCP keepalives and ``tcp_user_timeout``.
* MariaDB/MySQL (PyMySQL): ``charset=utf8mb4`` on the connection (checked on
  every new connection), strict SQL mode, UTC session time zone,
  ``READ COMMITTED``, ``innodb_lock_wait_timeout``.

One ``timeout`` bounds every wait on a server backend: a free pooled
connection (``pool_timeout``), a new connection, the ping and every reply
(the bounded drivers of :mod:`threadkit_sqlalchemy._drivers`). Inside a store
call the waits share the call's deadline (:mod:`threadkit_sqlalchemy._deadline`).
A pooled connection that sat idle for ``ping_after`` seconds (default 2) is
pinged before use; a failed ping or a dropped connection invalidates the pool,
so the engine recovers by itself when the server is back. Connections in steady
use are not pinged: a ping is a round trip, and on a server 1 ms away it cost a
cached page read a quarter of its time (issue 12). The price: the first call
after a server restart that took a connection used within ``ping_after`` fails
with ``StorageUnavailableError`` (HTTP 503) once; the pool is then replaced.
"""

from __future__ import annotations

import math
import os
import time
import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool

from ._drivers import bounded_mysql_connect, bounded_postgresql_connect
from ._fast import begin

__all__ = [
    "DEFAULT_TIMEOUT",
    "DatabaseConfigurationError",
    "WRITE",
    "create_engine",
    "is_retryable",
    "is_unavailable",
]

DEFAULT_TIMEOUT = 10.0
"""Default for ``timeout``: the longest a store call waits on the database, in seconds."""

DEFAULT_PING_AFTER = 2.0
"""Default for ``ping_after``: seconds a pooled connection may sit idle before it is pinged."""

SQLITE_MIN_BUSY_MS = 5000
"""SQLite's busy timeout is at least this long unless ``timeout`` itself is shorter."""

WRITE = "threadkit_write"
"""Execution option that marks a connection whose transaction will write."""

MYSQL_SQL_MODE = (
    "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION"
)


class DatabaseConfigurationError(RuntimeError):
    """The database is reachable but not set up the way threadkit requires.

    Raised on start-up, e.g. a MariaDB connection or table that is not
    ``utf8mb4``, or a schema older than this release (run
    ``threadkit-db upgrade --url URL``).
    """


def _is_mysql(dialect_name: str) -> bool:
    return dialect_name in ("mysql", "mariadb")


def create_engine(
    url: str | sa.URL,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    synchronous: str = "FULL",
    busy_timeout_ms: int | None = None,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
    ping_after: float = DEFAULT_PING_AFTER,
    **kwargs: Any,
) -> Engine:
    """Create an engine for ``url`` with threadkit's per-backend settings.

    ``timeout`` (seconds, default 10) bounds every wait: for a free pooled
    connection, for a new connection, for any reply of a server backend
    (a server that stops answering closes the connection after ``timeout``),
    and SQLite's busy timeout. ``connect_timeout`` and ``statement_timeout``
    (seconds, default and at most ``timeout``) narrow the connect and the
    server-side statement limit (lock waits included) of PostgreSQL and
    MariaDB. ``ping_after`` (seconds, default 2, 0 pings every checkout): a
    pooled connection idle longer than that is pinged before use (PostgreSQL,
    MariaDB). SQLite only: ``synchronous`` and ``busy_timeout_ms`` (default
    5000, or ``timeout`` if shorter; an explicit value is at least that and at
    most ``timeout``). Other keyword arguments go to ``sqlalchemy.create_engine``.
    """
    if not 0 <= ping_after <= 3600:
        raise ValueError(f"ping_after must be within 0..3600 seconds, not {ping_after!r}")
    if not 0 < timeout <= 3600:
        raise ValueError(f"timeout must be within 0..3600 seconds, not {timeout!r}")
    connect_timeout = _within("connect_timeout", connect_timeout, timeout)
    statement_timeout = _within("statement_timeout", statement_timeout, timeout)
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {"pool_timeout": timeout}
    connect_args: dict[str, Any] = dict(kwargs.pop("connect_args", {}))
    busy_ms = _busy_timeout_ms(busy_timeout_ms, timeout)
    if backend == "sqlite":
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
        connect_args.setdefault("timeout", busy_ms / 1000)
        if parsed.database in (None, "", ":memory:"):
            connect_args.setdefault("check_same_thread", False)
            options["poolclass"] = StaticPool
            options.pop("pool_timeout")
    elif backend == "postgresql":
        connect_args.setdefault("connect_timeout", max(1, math.ceil(connect_timeout)))
        connect_args.setdefault("options", f"-c statement_timeout={int(statement_timeout * 1000)}")
        # A peer that vanished mid-connection: the kernel gives up on unacknowledged
        # data after tcp_user_timeout, on an idle connection after the keepalives.
        connect_args.setdefault("tcp_user_timeout", int(timeout * 1000))
        connect_args.setdefault("keepalives", 1)
        connect_args.setdefault("keepalives_idle", max(1, int(timeout / 2)))
        connect_args.setdefault("keepalives_interval", max(1, int(timeout / 6)))
        connect_args.setdefault("keepalives_count", 3)
        options["isolation_level"] = "READ COMMITTED"
    elif _is_mysql(backend):
        charset = parsed.query.get("charset")
        if charset is None:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        elif charset != "utf8mb4":
            raise DatabaseConfigurationError(
                f"MariaDB/MySQL URL asks for charset={charset}; threadkit needs charset=utf8mb4"
            )
        connect_args.setdefault("connect_timeout", connect_timeout)
        connect_args.setdefault("read_timeout", timeout)
        connect_args.setdefault("write_timeout", timeout)
        options["isolation_level"] = "READ COMMITTED"
    options.update(kwargs)
    engine = sa.create_engine(parsed, connect_args=connect_args, **options)
    if options.get("poolclass") is not StaticPool:
        # An in-memory SQLite database is its one connection: a child keeps its copy.
        _forget_pool_in_forked_children(engine)
    if backend == "sqlite":
        _configure_sqlite(engine, synchronous.upper(), busy_ms)
    elif backend == "postgresql":
        _bound_connects(engine, bounded_postgresql_connect(timeout))
        _ping_when_idle(engine, ping_after)
    elif _is_mysql(backend):
        _bound_connects(engine, bounded_mysql_connect(timeout))
        _configure_mysql(engine, statement_timeout)
        _ping_when_idle(engine, ping_after)
    return engine


def _within(name: str, value: float | None, timeout: float) -> float:
    if value is None:
        return timeout
    if not 0 < value <= timeout:
        raise ValueError(f"{name} must be more than 0 and at most timeout ({timeout}), not {value}")
    return value


def _busy_timeout_ms(busy_timeout_ms: int | None, timeout: float) -> int:
    most = int(timeout * 1000)
    least = min(SQLITE_MIN_BUSY_MS, most)
    if busy_timeout_ms is None:
        return least
    if not least <= busy_timeout_ms <= most:
        raise ValueError(
            f"busy_timeout_ms must be within {least}..{most} (at most timeout),"
            f" not {busy_timeout_ms}"
        )
    return busy_timeout_ms


def _forget_pool_in_forked_children(engine: Engine) -> None:
    """Give a forked child (a gunicorn worker of a preloaded app) a pool of its own.

    The parent's pooled connections (the ones ``upgrade=True`` and the schema
    check used) must never be used by two processes: SQLite's locks are per
    process, and a server connection is one socket. The child drops its
    references without closing them (the parent still uses them), as
    SQLAlchemy's pooling guide advises; the engine is held weakly.
    """
    if not hasattr(os, "register_at_fork"):
        return
    held = weakref.ref(engine)

    def forget() -> None:
        forked = held()
        if forked is not None:
            forked.dispose(close=False)

    os.register_at_fork(after_in_child=forget)


def _bound_connects(engine: Engine, connect: Any) -> None:
    @event.listens_for(engine, "do_connect")
    def _do_connect(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        return connect(*cargs, **cparams)


_IDLE_SINCE = "threadkit_idle_since"


def _ping_when_idle(engine: Engine, ping_after: float) -> None:
    """Ping a pooled connection before use when it sat idle ``ping_after`` seconds or more."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < ping_after:
            return  # new, or in steady use
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection, invalidates the older ones, and connects anew.
            raise exc.DisconnectionError(f"pooled connection failed its ping: {error}") from error
        if not alive:
            raise exc.DisconnectionError("pooled connection failed its ping")


def _configure_sqlite(engine: Engine, synchronous: str, busy_timeout_ms: int) -> None:
    memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN; pysqlite's own
        # implicit transactions would defer it past our first SELECT.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            if not memory:
                _enter_wal(cursor, busy_timeout_ms, engine.dialect.loaded_dbapi.OperationalError)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        finally:
            cursor.close()

    event.listen(engine, "begin", sqlite_begin)


def _enter_wal(cursor: Any, busy_timeout_ms: int, locked: type[Exception]) -> None:
    """Put the database in WAL mode, waiting up to ``busy_timeout_ms`` for other connections.

    Switching a new database's journal to WAL needs it to itself, and SQLite answers
    "database is locked" at once, without its busy handler, while another connection
    holds a lock: workers starting together on a new file (one of them already
    upgrading it) would fail to start.
    """
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except locked as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def sqlite_begin(conn: sa.Connection) -> None:
    """Begin a SQLite transaction: ``BEGIN IMMEDIATE`` to write, ``BEGIN`` to read.

    The ``begin`` listener of every SQLite engine :func:`create_engine` makes;
    the store looks for it before running lean transactions (``._lean``).
    """
    # On the driver's cursor unless someone watches statements (issue 12: ._fast).
    begin(conn, "BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def _configure_mysql(engine: Engine, statement_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"SET SESSION sql_mode = '{MYSQL_SQL_MODE}'")
            cursor.execute("SET SESSION time_zone = '+00:00'")
            wait = max(1, int(statement_timeout))
            cursor.execute(f"SET SESSION innodb_lock_wait_timeout = {wait}")
            cursor.execute(
                "SELECT @@character_set_client, @@character_set_connection, @@character_set_results"
            )
            charsets = cursor.fetchone()
        finally:
            cursor.close()
        if charsets is None or any(value != "utf8mb4" for value in charsets):
            raise DatabaseConfigurationError(
                "MariaDB/MySQL connection character sets (client, connection, results) are "
                f"{charsets!r}; threadkit needs utf8mb4 for all three"
            )


_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock (PostgreSQL)
_RETRYABLE_MYSQL = {1213}  # deadlock (a lock wait timeout, 1205, is an outage, not retried)


def is_retryable(error: exc.DBAPIError) -> bool:
    """Whether a transaction failed only because it collided with another one."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return True
    args: tuple[Any, ...] = tuple(getattr(original, "args", ()))
    return bool(args) and isinstance(args[0], int) and args[0] in _RETRYABLE_MYSQL


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot be reached or timed out."""
    if isinstance(error, exc.TimeoutError):  # the pool ran out of connections
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        return isinstance(error, exc.OperationalError | exc.InterfaceError)
    return False
