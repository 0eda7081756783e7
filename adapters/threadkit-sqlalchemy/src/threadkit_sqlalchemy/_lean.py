"""SQLite transactions on the pooled driver connection, without a SQLAlchemy ``Connection``.

On SQLite a transaction through SQLAlchemy (``engine.connect()``, ``begin()``,
``commit``, ``close``: a ``Connection`` object, its joined event dispatch, the
``begin`` and ``commit`` events) cost a post ~40-55 us of CPU each time, twice
per post (the shared read, the write), against ~12 us for the same pool
checkout, ``BEGIN`` and ``COMMIT`` done directly (issue 12). A
:class:`LeanTransaction` does exactly that: it checks a connection out of the
engine's pool (pool events, pre-ping, reset on return and fork handling as
ever), sends the same ``BEGIN`` / ``BEGIN IMMEDIATE`` the store's ``begin``
listener sends, runs :class:`~threadkit_sqlalchemy._fast.Prepared` statements
on the driver's cursor, and commits or rolls back on the driver. Driver errors
come out as SQLAlchemy's (``OperationalError`` for a locked database, so the
store's retries and its 503 are unchanged); a connection the dialect calls
disconnected, or whose rollback fails, is discarded from the pool. A post's
write takes over its shared read's connection (:meth:`LeanTransaction.begin_again`:
``ROLLBACK``, then ``BEGIN IMMEDIATE``), so a post checks out one connection, not two.

Anything else a unit of work asks of its connection (``execute`` of a statement
that is not prepared, ``exec_driver_sql``, ...) makes a real ``Connection`` on
the same pooled connection that joins the open transaction (see :func:`join`):
rare paths keep SQLAlchemy's full behaviour without a second ``BEGIN``.

The store runs a transaction this way only on an engine made by
:func:`threadkit_sqlalchemy.create_engine` for ``pysqlite``, and only while
nobody listens to the engine's connection events (:func:`watched`): tests that
count transactions or statements, or inject failures, see every one as before.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

__all__ = ["JOINED", "LeanTransaction", "run_lean", "usable", "watched"]

T = TypeVar("T")

JOINED = "threadkit_lean_joined"
"""Key of the pooled connection's ``info``: its transaction is already open (a lean one)."""

# Connection events a lean transaction would not fire (``begin``: see :func:`watched`).
_EVENTS = operator.attrgetter(
    "engine_connect",
    "commit",
    "rollback",
    "before_execute",
    "after_execute",
    "before_cursor_execute",
    "after_cursor_execute",
)


def usable(engine: Engine, begin_listener: Callable[..., Any] | None) -> bool:
    """Whether ``engine`` may run lean transactions: ``pysqlite``, with the store's ``begin``.

    ``begin_listener`` is the listener :func:`threadkit_sqlalchemy.create_engine`
    registered (``None`` if it made none): without it the driver runs its own
    implicit transactions and a lean one would change how they begin.
    """
    dialect = engine.dialect
    if dialect.name != "sqlite" or dialect.driver != "pysqlite" or begin_listener is None:
        return False
    return list(engine.dispatch.begin) == [begin_listener]


def watched(engine: Engine) -> bool:
    """Whether anyone listens to connection events (then transactions take the plain path).

    ``begin`` counts when it has more listeners than the store's own, which
    :func:`usable` found there; ``handle_error`` is the dialect's event. An
    engine that logs its statements (``echo``, or the ``sqlalchemy.engine``
    logger at ``INFO``) counts too: only the plain path logs them.
    """
    dispatch: Any = engine.dispatch
    if len(dispatch.begin) != 1 or any(_EVENTS(dispatch)) or Connection._has_events:
        return True
    return bool(engine.dialect.dispatch.handle_error) or engine._should_log_info()


class LeanTransaction:
    """One SQLite transaction on a pooled driver connection (see the module's docstring).

    Passed to a unit of work where it expects a ``Connection``: ``dialect``
    and :class:`~threadkit_sqlalchemy._fast.Prepared` statements are served
    here; any other attribute comes from a ``Connection`` joined to this
    transaction.
    """

    __slots__ = ("_closed", "_ended", "_joined", "dialect", "driver", "engine", "fairy")

    def __init__(self, engine: Engine, sql: str) -> None:
        """Check a connection out of ``engine``'s pool and run ``sql`` (a ``BEGIN``) on it."""
        self.engine = engine
        self.dialect = engine.dialect
        self._joined: Connection | None = None
        self._ended = False  # committed: nothing left to roll back
        self._closed = False  # handed back to the pool: a second close() does nothing
        dbapi = self.dialect.loaded_dbapi
        try:
            self.fairy = engine.raw_connection()
        except dbapi.Error as error:
            raise exc.DBAPIError.instance(None, None, error, dbapi.Error) from error
        driver = self.fairy.dbapi_connection
        assert driver is not None
        self.driver: Any = driver
        try:
            driver.execute(sql)
        except dbapi.Error as error:
            wrapped = self.wrap(error, sql, ())
            if self.fairy.is_valid:
                self.fairy.close()  # nothing begun: back to the pool as it came
            raise wrapped from error

    def reusable(self) -> bool:
        """Whether :meth:`begin_again` may run another transaction on this connection."""
        return not (self._joined is not None or self._ended or self._closed) and self.fairy.is_valid

    def begin_again(self, sql: str) -> None:
        """Roll back what is open (a read: nothing to lose) and begin anew with ``sql``.

        On a failure the connection is handed back (:meth:`close`) and the error raised.
        """
        driver = self.driver
        try:
            driver.rollback()
            driver.execute(sql)
        except self.dialect.loaded_dbapi.Error as error:
            wrapped = self.wrap(error, sql, ())
            self.close()
            raise wrapped from error

    def in_transaction(self) -> bool:
        """Return ``True``: the transaction is open from construction to :meth:`close`."""
        return True

    def wrap(self, error: Exception, sql: str | None, arguments: Any) -> exc.StatementError:
        """Return the driver's ``error`` as SQLAlchemy's; discard the connection if it is gone."""
        dialect = self.dialect
        gone = dialect.is_disconnect(error, self.driver, None)  # type: ignore[arg-type]
        if gone:
            self.fairy.invalidate(error)
        dbapi = dialect.loaded_dbapi
        return exc.DBAPIError.instance(
            sql,
            arguments,
            error,
            dbapi.Error,
            hide_parameters=self.engine.hide_parameters,  # as SQLAlchemy's own message would
            connection_invalidated=gone,
            dialect=dialect,
        )

    def join(self) -> Connection:
        """Return a ``Connection`` on this pooled connection, inside this transaction.

        Its ``begin`` event sees :data:`JOINED` and sends no ``BEGIN``; from then
        on this transaction commits, rolls back and closes through it.
        """
        if self._joined is None:
            conn = Connection(self.engine, connection=self.fairy)
            self.fairy.info[JOINED] = True
            try:
                conn.begin()
            finally:
                self.fairy.info.pop(JOINED, None)
            self._joined = conn
        return self._joined

    def __getattr__(self, name: str) -> Any:
        # Only attributes this class lacks arrive here: SQLAlchemy serves them.
        return getattr(self.join(), name)

    def commit(self) -> None:
        """Commit (on the driver, or through the joined ``Connection``)."""
        if self._joined is not None:
            self._joined.commit()
            return
        try:
            self.driver.commit()
        except self.dialect.loaded_dbapi.Error as error:
            raise self.wrap(error, "COMMIT", ()) from error
        self._ended = True

    def close(self) -> None:
        """Roll back whatever is uncommitted and hand the connection back to the pool.

        A connection whose rollback fails is discarded, never pooled half-way
        through a transaction. Closing again does nothing.
        """
        if self._closed:
            return
        self._closed = True
        joined = self._joined
        if joined is not None:
            # After a failed COMMIT SQLAlchemy's transaction is inactive but the driver's
            # is still open, and close() would pool it so: roll back first, as
            # ``with conn.begin()`` does (a no-op after a commit).
            try:
                joined.rollback()
            except exc.DBAPIError:
                joined.invalidate()  # never pooled half-way through a transaction
            joined.close()  # returns the pooled connection
            return
        fairy = self.fairy
        if not fairy.is_valid:
            return  # invalidated (:meth:`wrap`): already discarded and checked in
        if not self._ended:
            try:
                self.driver.rollback()
            except self.dialect.loaded_dbapi.Error as error:
                fairy.invalidate(error)  # discards it and checks the record in
                return
        fairy.close()


def run_lean(
    engine: Engine, work: Callable[[Connection], T], sql: str, reuse: LeanTransaction | None = None
) -> T:
    """Run ``work`` in one lean transaction begun with ``sql``; commit if it returns.

    ``reuse``: a lean transaction whose connection this one takes over (its own
    transaction is rolled back first); the connection goes back to the pool either way.
    """
    if reuse is None:
        lean = LeanTransaction(engine, sql)
    else:
        lean = reuse
        lean.begin_again(sql)
    try:
        result = work(cast(Connection, lean))  # duck-typed: see LeanTransaction
        lean.commit()
        return result
    finally:
        lean.close()
