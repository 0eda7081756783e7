"""Statements a post runs, compiled once and run on SQLite's own cursor (issue 12).

On SQLite a statement costs a few microseconds; going through SQLAlchemy's
``Connection.execute`` (cache key, execution context, result object, events)
costs 40-60 more, and a post runs about ten of them. A :class:`Prepared`
statement is compiled once per dialect to the driver's SQL with its bound
values' converters (the same ``bind_processor`` SQLAlchemy applies), then run
on the DBAPI connection *inside the caller's SQLAlchemy transaction*: the
transaction, its ``BEGIN IMMEDIATE``, rollback on error and the store's retry
and outage handling are unchanged. A driver error is raised as SQLAlchemy's
wrapped ``DBAPIError`` (``IntegrityError`` stays an ``IntegrityError``).
In a :class:`~threadkit_sqlalchemy._lean.LeanTransaction` (SQLite, nobody
listening: no SQLAlchemy transaction at all) it runs on that transaction's
driver connection.

It runs the plain path (``Connection.execute``) instead when the backend is
not SQLite (PostgreSQL and MariaDB have network round trips that dwarf the
saving, and disconnect handling that must stay SQLAlchemy's), when anyone
listened to the engine's cursor events as the transaction began (tests that
inject failures or count statements see every statement, as before), and on a
SQLite engine not made by :func:`threadkit_sqlalchemy.create_engine` (whose
``begin`` event, :func:`begin`, decides). Result rows come back as named
tuples in both cases: columns by name or position; values as the driver gives
them (SQLite: timestamps as text), so callers convert what they read.
"""

from __future__ import annotations

import operator
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect

from ._lean import JOINED, LeanTransaction

__all__ = ["Prepared", "begin", "utc"]

_FAST = "threadkit_fast_path"
"""Key of the connection's ``info``: whether this transaction's statements may use the cursor."""


class _Compiled:
    """One statement's driver SQL for one dialect, and how to build its arguments."""

    __slots__ = ("converted", "literals", "pick", "plain", "sources", "sql")

    def __init__(self, statement: Any, dialect: Dialect, keys: Sequence[str]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) or None)
        assert compiled.positiontup is not None  # SQLite's qmark style: positional
        self.sql = compiled.string
        # Per position: the caller's key and the value a literal carries; apart, the few
        # positions whose type converts a value on its way in (timestamps, booleans).
        self.sources: list[tuple[str, Any]] = []
        self.converted: list[tuple[int, Callable[[Any], Any]]] = []
        for position, name in enumerate(compiled.positiontup):
            bind = compiled.binds[name]
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self.sources.append((bind.key, None if bind.required else bind.effective_value))
            if convert is not None:
                self.converted.append((position, convert))
        # The caller's values picked by one C call, then the few literals put in place:
        # a ``get`` per position was a quarter of a post's argument building (issue 12).
        keys = [key for key, literal in self.sources if literal is None]
        self.literals = [
            (position, key, literal)
            for position, (key, literal) in enumerate(self.sources)
            if literal is not None
        ]
        self.pick = _picker(keys)
        self.plain = not (self.literals or self.converted)  # the picked tuple is the arguments

    def arguments(self, params: Mapping[str, Any]) -> Sequence[Any]:
        """Return the positional arguments for ``params`` (keyed by the bind names)."""
        try:
            picked = self.pick(params)
        except KeyError:
            get = params.get  # a key left out binds NULL, as it always has
            values = [get(key, literal) for key, literal in self.sources]
        else:
            if self.plain:
                return picked
            values = list(picked)
            for position, key, literal in self.literals:
                values.insert(position, params.get(key, literal))
        for position, convert in self.converted:
            value = values[position]
            if value is not None:
                values[position] = convert(value)
        return values


def _picker(keys: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """Return a function that picks ``keys``' values from a mapping, always as a tuple."""
    if len(keys) > 1:
        return operator.itemgetter(*keys)
    if keys:
        key = keys[0]
        return lambda params: (params[key],)
    return lambda params: ()


class Prepared:
    """A statement built once, run fast on SQLite and the plain way elsewhere.

    ``statement`` takes its values as bind parameters named in ``params`` (an
    ``INSERT`` without ``.values()`` takes column names, as ``execute`` does).
    """

    __slots__ = ("_compiled", "_insert", "_row", "_sqlite", "statement")

    def __init__(self, statement: sa.Executable) -> None:
        self.statement = statement
        self._insert = isinstance(statement, sa.Insert)  # compiled per set of columns
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}
        self._sqlite: _Compiled | None = None  # SQLite's, once compiled (not for an INSERT)
        columns = getattr(statement, "selected_columns", None)
        names = [] if columns is None else list(columns.keys())
        # One row type for both paths, so callers may use ``_replace`` on either.
        self._row: Any = namedtuple("_Row", names, rename=True)  # type: ignore[misc]

    def _raw(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """Run on the DBAPI cursor; ``None`` if this connection takes the plain path."""
        lean: Any = conn  # a LeanTransaction stands in for a Connection (._lean)
        if lean.__class__ is LeanTransaction:
            return self._lean(lean, params)
        # Outside a transaction SQLAlchemy's autobegin must see the statement.
        if not conn.in_transaction():
            return None
        proxied = conn.connection
        if not proxied.info.get(_FAST):
            return None
        dialect = conn.dialect
        key = (dialect.name, tuple(params) if self._insert else ())
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _Compiled(self.statement, dialect, key[1])
        arguments = compiled.arguments(params)
        driver = proxied.dbapi_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(
                compiled.sql,
                arguments,
                error,
                dialect.loaded_dbapi.Error,
                hide_parameters=conn.engine.hide_parameters,
            ) from error
        return cursor

    def _lean(self, lean: LeanTransaction, params: Mapping[str, Any]) -> Any:
        """Run on a lean transaction's driver connection (``._lean``: SQLite, nobody watching)."""
        compiled = self._sqlite
        if compiled is None:
            key = ("sqlite", tuple(params) if self._insert else ())
            compiled = self._compiled.get(key)
            if compiled is None:
                compiled = self._compiled[key] = _Compiled(self.statement, lean.dialect, key[1])
            if not self._insert:
                self._sqlite = compiled  # one shape of arguments: kept at hand
        arguments = compiled.arguments(params)
        try:
            return lean.driver.execute(compiled.sql, arguments)  # a new cursor, executed
        except lean.dialect.loaded_dbapi.Error as error:
            raise lean.wrap(error, compiled.sql, arguments) from error

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Return every row the statement selects, as named tuples."""
        cursor = self._raw(conn, params)
        if cursor is None:
            cursor = conn.execute(self.statement, dict(params))
        return list(map(self._row._make, cursor.fetchall()))

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """Return the first row the statement selects (a named tuple), or ``None``."""
        cursor = self._raw(conn, params)
        if cursor is None:
            values = conn.execute(self.statement, dict(params)).first()
        else:
            values = cursor.fetchone()
            cursor.close()  # the statement is done: never left pending until a commit
        return None if values is None else self._row._make(values)

    def run(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run an ``INSERT`` / ``UPDATE`` / ``DELETE``; return the rows it touched."""
        cursor = self._raw(conn, params)
        if cursor is None:
            cursor = conn.execute(self.statement, dict(params))
        return int(cursor.rowcount)

    def insert(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run an ``INSERT`` of one row; return the new row's generated primary key."""
        cursor = self._raw(conn, params)
        if cursor is not None:
            return int(cursor.lastrowid)
        key = conn.execute(self.statement, dict(params)).inserted_primary_key
        assert key is not None  # every backend reports an autoincrement id
        return int(key[0])


def begin(conn: Connection, sql: str) -> None:
    """Run SQLite's ``BEGIN`` statement ``sql`` for SQLAlchemy's ``begin`` event.

    Decides, for the whole transaction, whether :class:`Prepared` statements
    run on the driver's cursor: only on ``pysqlite`` and when nobody listens
    to cursor events as the transaction begins. Asking once here instead of
    before every statement saves a post about a dozen event-dispatch lookups.
    """
    watched = _watched(conn)
    proxied = conn.connection
    # Kept with the DBAPI connection, set again at every BEGIN: never stale.
    proxied.info[_FAST] = not watched and conn.dialect.driver == "pysqlite"
    if proxied.info.get(JOINED):
        return  # a lean transaction (._lean) is open on this connection: joined, not begun
    if watched:
        conn.exec_driver_sql(sql)
        return
    driver = proxied.dbapi_connection
    assert driver is not None
    dbapi = conn.dialect.loaded_dbapi
    try:
        driver.cursor().execute(sql)
    except dbapi.Error as error:
        raise exc.DBAPIError.instance(sql, (), error, dbapi.Error) from error


def _watched(conn: Connection) -> bool:
    """Whether anyone listens to this connection's cursor events or logs its statements.

    Then every statement takes SQLAlchemy's path, which fires the events and
    logs (``echo``; ``_echo`` is what the ``Connection`` itself asks).
    """
    dispatch: Any = conn.dispatch
    if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
        return True
    return bool(conn._echo)


def utc(value: datetime | str) -> datetime:
    """Return a naive UTC timestamp as the driver gives it (SQLite: text) as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
