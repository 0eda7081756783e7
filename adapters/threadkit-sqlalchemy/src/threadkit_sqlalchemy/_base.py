"""The store's foundation: engine, transactions with retries, and shared row reads."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from contextvars import ContextVar, Token
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from threadkit.errors import NotFoundError, StorageUnavailableError, ValidationError
from threadkit.limits import COMMENT_MAX_BYTES
from threadkit.models import Comment, Identity, Reason, RequestContext
from threadkit.storekit import reasons_json

from . import _paths
from ._checks import _chars, _text
from ._db import DEFAULT_TIMEOUT, WRITE, create_engine, is_retryable, is_unavailable, sqlite_begin
from ._deadline import call_deadline
from ._fast import Prepared
from ._lean import LeanTransaction, run_lean, usable, watched
from ._rows import _C, _COLUMNS, _SDEPTH, _SPARENT, _T, _comment, _Row
from ._schema import (
    AUTHOR_KEY_LENGTH,
    IP_LENGTH,
    LONG_TEXT_BYTES,
    PATH_LENGTH,
    TEXT_BYTES,
    comments,
    threads,
)

T = TypeVar("T")
DEFAULT_MAX_BODY_BYTES = COMMENT_MAX_BYTES
"""Default limit on a comment's source text, in UTF-8 bytes: the core's comment limit."""
_RETRIES = 8
_log = logging.getLogger("threadkit_sqlalchemy")
_UNAVAILABLE = "The comment database is not answering right now; please try again in a few seconds."
_LOCKING = ("postgresql", "mysql", "mariadb")


def _unavailable(error: exc.DBAPIError | exc.TimeoutError) -> StorageUnavailableError:
    """Log the driver's error and return one that names no host, port or driver."""
    cause = error.orig if isinstance(error, exc.DBAPIError) else error
    _log.warning("comment database unavailable: %s: %s", type(cause).__name__, cause)
    return StorageUnavailableError("storage_unavailable", _UNAVAILABLE)


# Built once: a reply's parent and every write's returned comment are read with it
# (on SQLite on the driver's cursor: _comment() takes the driver's values).
_ONE_COMMENT = Prepared(
    sa.select(*_COLUMNS, _T.key)
    .join_from(comments, threads, _C.thread_id == _T.id)
    .where(_C.id == sa.bindparam("b_id"))
)


class StoreBase:
    """The engine and the transactions every part of the store runs its work in.

    One transaction per call, retried on collisions, outages mapped to
    ``StorageUnavailableError``; plus the checks and reads every part shares.
    See :class:`threadkit_sqlalchemy.SqlCommentStore` for the arguments.
    """

    def __init__(
        self,
        url: str | sa.URL | Engine,
        *,
        upgrade: bool = False,
        check: bool = True,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        storage_depth_cap: int = 100,
        synchronous: str = "FULL",
        timeout: float = DEFAULT_TIMEOUT,
        busy_timeout_ms: int | None = None,
        connect_timeout: float | None = None,
        statement_timeout: float | None = None,
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        if not 0 < timeout <= 3600:
            raise ValueError(f"timeout must be within 0..3600 seconds, not {timeout!r}")
        if not 0 < max_body_bytes <= LONG_TEXT_BYTES:
            raise ValueError(f"max_body_bytes must be within 1..{LONG_TEXT_BYTES}")
        most = PATH_LENGTH // _paths.MAX_SEGMENT - 1
        if not 1 <= storage_depth_cap <= most:
            raise ValueError(f"storage_depth_cap must be within 1..{most}")
        if isinstance(url, Engine):
            self.engine = url
            self._owns_engine = False
        else:
            self.engine = create_engine(
                url,
                timeout=timeout,
                synchronous=synchronous,
                busy_timeout_ms=busy_timeout_ms,
                connect_timeout=connect_timeout,
                statement_timeout=statement_timeout,
                **dict(engine_options or {}),
            )
            self._owns_engine = True
        # Made once: marking each write's connection (``execution_options``) cost
        # a post ~15 us; this variant shares the engine's pool and listeners.
        self._writer = self.engine.execution_options(**{WRITE: True})
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self.storage_depth_cap = storage_depth_cap
        self._dialect = self.engine.dialect.name
        self._locks = self._dialect in _LOCKING
        # Only the server backends' bounded drivers wait on a call's deadline (._drivers).
        self._bounded = self._dialect != "sqlite"
        # A read of one statement needs no BEGIN and COMMIT: on PostgreSQL those are
        # two round trips of the three (psycopg switches autocommit locally; PyMySQL
        # would send SET AUTOCOMMIT both ways, so MariaDB keeps the transaction).
        self._single = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self._dialect == "postgresql"
            else self.engine
        )
        # One connection for every caller (in-memory SQLite) cannot hold a read open
        # beside a write; on SQLite only the WAL journal lets a writer pass a reader.
        self._can_pin = not isinstance(self.engine.pool, StaticPool | SingletonThreadPool)
        self._wal: bool | None = None if self._dialect == "sqlite" else True
        # SQLite through pysqlite on an engine of ours: transactions without a
        # SQLAlchemy Connection while nobody listens to its events (._lean).
        self._lean = usable(self.engine, sqlite_begin)
        self._pinned: ContextVar[Connection | None] = ContextVar("tk_pinned_read", default=None)
        if upgrade or check:
            from .migrate import check_schema, upgrade_engine

            try:
                if upgrade:
                    upgrade_engine(self.engine)
                with call_deadline(timeout):
                    check_schema(self.engine)
            except BaseException as error:
                self.close()
                if isinstance(error, exc.DBAPIError | exc.TimeoutError) and is_unavailable(error):
                    raise _unavailable(error) from error
                raise

    def close(self) -> None:
        """Release the connection pool (only if this store created the engine)."""
        if self._owns_engine:
            self.engine.dispose()

    # --- transactions ------------------------------------------------------

    def _run(self, work: Callable[[Connection], T], *, write: bool, single: bool = False) -> T:
        """Run ``work`` in one transaction, retrying collisions; map outages.

        A threadkit error raised by ``work`` rolls the transaction back and
        propagates; a deadlock or serialization failure reruns ``work`` while
        the call has time left; an unreachable or timed-out database becomes
        ``StorageUnavailableError``. Every wait of every attempt shares one
        deadline, ``self.timeout`` from the start of the call. ``single``: a
        read of one statement, which needs no transaction of its own.
        """
        if not write and (pinned := self._pinned.get()) is not None:
            try:
                if not self._bounded:
                    return work(pinned)
                with call_deadline(self.timeout):
                    return work(pinned)
            except exc.DBAPIError:
                # The shared transaction may be broken: this read and the block's
                # later ones run on their own, with the retries and errors below;
                # its connection goes back first, so a post never holds two.
                self._pinned.set(None)
                _close_shared(pinned)
        # A write inside a reads_together block ends the block's shared read and
        # takes its connection: one pool checkout per post, never two at once.
        handed = self._hand_over() if write else None
        with call_deadline(self.timeout) as deadline:
            attempt = 0
            while True:
                attempt += 1
                try:
                    if handed is not None:
                        lean, handed = handed, None  # the first attempt only
                        return run_lean(self.engine, work, "BEGIN IMMEDIATE", lean)
                    if self._lean and not watched(self.engine):
                        return run_lean(self.engine, work, "BEGIN IMMEDIATE" if write else "BEGIN")
                    source = self._writer if write else self._single if single else self.engine
                    with source.connect() as conn, conn.begin():
                        return work(conn)
                except exc.DBAPIError as error:
                    in_time = time.monotonic() < deadline
                    if is_retryable(error) and attempt < _RETRIES and in_time:
                        time.sleep(random.uniform(0.001, 0.01) * attempt)
                        continue
                    if isinstance(error, exc.IntegrityError) and write and attempt < 3 and in_time:
                        # A parallel writer created the same thread or vote first; look again.
                        continue
                    if is_unavailable(error) or is_retryable(error):
                        raise _unavailable(error) from error
                    if isinstance(error, exc.DataError):
                        raise ValidationError(
                            "invalid", f"The database refused a value: {error.orig}"
                        ) from error
                    raise
                except exc.TimeoutError as error:
                    raise _unavailable(error) from error

    def _hand_over(self) -> LeanTransaction | None:
        """End this context's shared read; return its lean transaction for a write to reuse.

        ``None`` when no block is open here, or when its connection cannot carry
        the write as a lean one (then it goes back to the pool first, so a post
        never holds two connections). The block's later reads run on their own.
        """
        pinned: Any = self._pinned.get()
        if pinned is None:
            return None
        self._pinned.set(None)
        if pinned.__class__ is LeanTransaction and pinned.reusable() and not watched(self.engine):
            return pinned
        _close_shared(pinned)
        return None

    def reads_together(self) -> AbstractContextManager[None]:
        """Answer every read of the block from one transaction on one connection.

        Before a post, the engine and its moderation steps ask the store four
        or five questions (the thread, bans, the author's and the IP's last
        comment, duplicates); each on its own would be a pool checkout, a
        ``BEGIN`` and a ``COMMIT`` (issue 12). Their answers only decide early:
        the write's own transaction checks the guards again. Writes inside the
        block run in their own transactions as always, and the first one ends
        the shared read (on SQLite, reusing its connection: one checkout per
        post); the block's later reads run on their own. Reads see one snapshot
        (SQLite) or the latest commit (PostgreSQL, MariaDB: ``READ COMMITTED``).
        A nested block joins the outer one. On an in-memory SQLite database
        (one connection for everything) each read keeps its own transaction.
        """
        return _SharedReads(self)

    def _pin_connection(self) -> Connection | None:
        """Return a connection for :meth:`reads_together`, or ``None``: reads go on their own.

        ``None`` inside a block already pinned, with one connection for all, on
        a SQLite file without WAL, and when the database does not answer (each
        read then reports the outage itself, with its retries).
        """
        if not self._can_pin or self._pinned.get() is not None or self._wal is False:
            return None
        if self._lean and self._wal and not watched(self.engine):
            try:
                return cast(Connection, LeanTransaction(self.engine, "BEGIN"))  # see ._lean
            except exc.DBAPIError:
                return None
        try:
            with call_deadline(self.timeout):
                # PostgreSQL: outside a transaction, as READ COMMITTED reads see the
                # latest commit either way; saves the BEGIN and ROLLBACK round trips.
                conn = self._single.connect()
        except (exc.DBAPIError, exc.TimeoutError):
            return None
        try:
            if self._wal is None:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                self._wal = str(mode).lower() == "wal"
        except exc.DBAPIError:
            pass
        if not self._wal:
            conn.close()
            return None
        try:
            if not conn.in_transaction():
                conn.begin()  # explicitly: reads on the driver's cursor (._fast) do not autobegin
        except exc.DBAPIError:
            conn.close()
            return None
        return conn

    def _read(self, work: Callable[[Connection], T]) -> T:
        return self._run(work, write=False)

    def _read_one(self, work: Callable[[Connection], T]) -> T:
        """Run ``work``, which reads with one statement (outside a transaction on PostgreSQL)."""
        return self._run(work, write=False, single=True)

    def _write(self, work: Callable[[Connection], T]) -> T:
        return self._run(work, write=True)

    def _for_update(self, query: sa.Select[Any]) -> sa.Select[Any]:
        """Lock the selected rows until commit (SQLite's BEGIN IMMEDIATE already does)."""
        return query.with_for_update() if self._locks else query

    @staticmethod
    def _no_thread(key: str) -> NotFoundError:
        return NotFoundError(
            "thread_not_found",
            f"No thread {key!r}; create it with ensure_thread first.",
            field="thread_key",
        )

    @staticmethod
    def _no_comment(comment_id: int) -> NotFoundError:
        return NotFoundError("comment_not_found", f"No comment {comment_id}.", field="comment_id")

    # --- comments ----------------------------------------------------------

    def _check_comment_text(
        self,
        author: Identity,
        body_source: str,
        body_html: str,
        reasons: Sequence[Reason],
        context: RequestContext,
    ) -> str:
        """Refuse, before the database, any value it could not store byte-exact.

        Returns ``reasons`` as the JSON text the ``reasons`` column stores.
        """
        _text(body_source, "body", self.max_body_bytes)
        _text(body_html, "body", LONG_TEXT_BYTES)
        _chars(author.key, "author", AUTHOR_KEY_LENGTH)
        for value in (author.name, author.email, author.url, author.avatar):
            if value is not None:
                _text(value, "author", TEXT_BYTES)
        _chars(context.ip, "ip", IP_LENGTH)
        for value in (context.user_agent, context.referrer, context.language):
            _text(value, "context", TEXT_BYTES)
        reasons_text = reasons_json(reasons)
        _text(reasons_text, "reasons", TEXT_BYTES)
        return reasons_text

    def _select_comments(self) -> sa.Select[Any]:
        """Select :data:`_COLUMNS` plus the thread key (last), joined to the thread."""
        return sa.select(*_COLUMNS, _T.key).join_from(comments, threads, _C.thread_id == _T.id)

    def _fetch_comment(self, conn: Connection, comment_id: int) -> Comment | None:
        row = _ONE_COMMENT.first(conn, {"b_id": comment_id})
        return None if row is None else _comment(row, row[-1])

    # --- reading pages -----------------------------------------------------

    def _preorder(
        self,
        rows: list[_Row],
        sdepth: int = _SDEPTH,
        sparent: int = _SPARENT,
        in_order: Callable[[list[_Row]], list[_Row]] | None = None,
    ) -> list[_Row]:
        """Put flattened runs (rows stored at the depth cap) back into depth-first order.

        Rows below the cap come in path order, which is depth first already.
        Rows at the cap under one storage parent are stored in creation order;
        within each such run, children follow their true parent. ``sdepth`` and
        ``sparent`` say where a row holds its storage columns; ``in_order``
        orders one run (default :meth:`_run_preorder`).
        """
        cap = self.storage_depth_cap
        if not any(row[sdepth] >= cap for row in rows):
            return rows
        order_run = self._run_preorder if in_order is None else in_order
        ordered: list[_Row] = []
        run: list[_Row] = []
        for row in rows:
            if row[sdepth] >= cap and (not run or run[0][sparent] == row[sparent]):
                run.append(row)
                continue
            if run:
                ordered.extend(order_run(run))
            run = [row] if row[sdepth] >= cap else []
            if not run:
                ordered.append(row)
        if run:
            ordered.extend(order_run(run))
        return ordered

    @staticmethod
    def _run_preorder(run: list[_Row]) -> list[_Row]:
        """Depth-first order of one flattened run (creation order among siblings)."""
        if len(run) < 2:
            return run
        present = {row[0] for row in run}
        children: dict[int, list[_Row]] = {}
        starts: list[_Row] = []
        for row in run:
            if row[1] in present:
                children.setdefault(row[1], []).append(row)
            else:
                starts.append(row)
        ordered: list[_Row] = []
        stack = starts[::-1]
        while stack:
            row = stack.pop()
            ordered.append(row)
            stack.extend(reversed(children.get(row[0], ())))
        return ordered


class _SharedReads:
    """The block :meth:`StoreBase.reads_together` returns (a class: a post opens one)."""

    __slots__ = ("conn", "store", "token")

    def __init__(self, store: StoreBase) -> None:
        self.store = store
        self.conn: Connection | None = None
        self.token: Token[Connection | None] | None = None

    def __enter__(self) -> None:
        conn = self.conn = self.store._pin_connection()
        if conn is not None:
            self.token = self.store._pinned.set(conn)

    def __exit__(self, *exc_info: object) -> None:
        conn = self.conn
        if conn is None or self.token is None:
            return
        self.store._pinned.reset(self.token)
        _close_shared(conn)  # again if a write or a failed read closed it: does nothing


def _close_shared(conn: Connection) -> None:
    """Hand a shared read's connection back (its transaction rolled back: it wrote nothing)."""
    try:
        conn.close()
    except exc.DBAPIError as error:
        _log.warning("closing a shared read connection failed: %s", error)
