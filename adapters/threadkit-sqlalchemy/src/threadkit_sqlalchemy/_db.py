"""Engines configured the way threadkit needs each backend, and error mapping.

* SQLite: WAL, foreign keys on, a busy timeout, ``synchronous`` FULL by default;
  the driver's own transaction handling is switched off so writes can start
  with ``BEGIN IMMEDIATE`` (a writer takes the lock up front and never fails
  half-way with "database is locked" on upgrade).
* PostgreSQL (psycopg 3): a connect timeout, ``READ COMMITTED``.
* MariaDB/MySQL (PyMySQL): ``charset=utf8mb4`` on the connection (checked on
  every new connection), strict SQL mode, UTC session time zone,
  ``READ COMMITTED``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool

__all__ = [
    "DatabaseConfigurationError",
    "WRITE",
    "create_engine",
    "is_retryable",
    "is_unavailable",
]

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
    synchronous: str = "FULL",
    busy_timeout_ms: int = 5000,
    connect_timeout: float = 5.0,
    statement_timeout: float | None = 30.0,
    **kwargs: Any,
) -> Engine:
    """Create an engine for ``url`` with threadkit's per-backend settings.

    ``synchronous`` and ``busy_timeout_ms`` apply to SQLite only (the busy
    timeout is at least 5000 ms); ``connect_timeout`` and ``statement_timeout``
    (seconds; ``None``: no limit) apply to the server backends, where a
    statement (lock waits included) running longer is cancelled and reported
    as ``StorageUnavailableError``. Other keyword arguments go to
    ``sqlalchemy.create_engine``.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {"pool_pre_ping": True}
    connect_args: dict[str, Any] = dict(kwargs.pop("connect_args", {}))
    if backend == "sqlite":
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
        if busy_timeout_ms < 5000:
            raise ValueError("busy_timeout_ms must be at least 5000")
        options.pop("pool_pre_ping")
        connect_args.setdefault("timeout", busy_timeout_ms / 1000)
        if parsed.database in (None, "", ":memory:"):
            connect_args.setdefault("check_same_thread", False)
            options["poolclass"] = StaticPool
    elif backend == "postgresql":
        connect_args.setdefault("connect_timeout", max(1, int(connect_timeout)))
        if statement_timeout is not None:
            connect_args.setdefault(
                "options", f"-c statement_timeout={int(statement_timeout * 1000)}"
            )
        options["isolation_level"] = "READ COMMITTED"
    elif _is_mysql(backend):
        charset = parsed.query.get("charset")
        if charset is None:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        elif charset != "utf8mb4":
            raise DatabaseConfigurationError(
                f"MariaDB/MySQL URL asks for charset={charset}; threadkit needs charset=utf8mb4"
            )
        connect_args.setdefault("connect_timeout", max(1, int(connect_timeout)))
        if statement_timeout is not None:
            # The client gives up on a silent server; the server on a long lock wait.
            connect_args.setdefault("read_timeout", max(1, int(statement_timeout) + 5))
            connect_args.setdefault("write_timeout", max(1, int(statement_timeout) + 5))
        options["isolation_level"] = "READ COMMITTED"
    options.update(kwargs)
    engine = sa.create_engine(parsed, connect_args=connect_args, **options)
    if backend == "sqlite":
        _configure_sqlite(engine, synchronous.upper(), busy_timeout_ms)
    elif _is_mysql(backend):
        _configure_mysql(engine, statement_timeout)
    return engine


def _configure_sqlite(engine: Engine, synchronous: str, busy_timeout_ms: int) -> None:
    memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN; pysqlite's own
        # implicit transactions would defer it past our first SELECT.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get(WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _configure_mysql(engine: Engine, statement_timeout: float | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"SET SESSION sql_mode = '{MYSQL_SQL_MODE}'")
            cursor.execute("SET SESSION time_zone = '+00:00'")
            if statement_timeout is not None:
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
