"""``SqlCommentStore``: threadkit's :class:`~threadkit.ports.CommentStore` on SQL.

Works on SQLite (the embedded default), PostgreSQL (psycopg 3) and
MariaDB/MySQL (PyMySQL), with SQLAlchemy 2 Core on every path (no ORM).

How a page stays cheap whatever the thread's size: every comment row carries
its thread, true parent, root (top-level ancestor), true depth, and a
byte-order sortable materialized path (see :mod:`threadkit_sqlalchemy._paths`)
whose first segment is the top-level comment's ordinal in its thread. A page
is then

1. a keyset scan of the ``(thread_id, depth, top_ord)`` index (oldest,
   newest) or ``(thread_id, depth, neg_score, id)`` (top) for the next
   ``top_limit`` visible top-level comments, and
2. a range scan of the ``(thread_id, path)`` index for their descendants,
   capped at ``total_limit`` rows (one query for oldest-first; one small
   query per top-level comment for the other orders).

Both cost what the page costs. ``subtree`` is one range scan of the same index.

Paths have a maximum length, so the *storage* depth is capped
(``storage_depth_cap``, 100 by default): a reply to a comment stored at the
cap is stored beside it, under the deepest allowed ancestor, while its
``parent_id`` and ``depth`` keep the true values. Such flattened runs are put
back into depth-first order when they are read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol, TypeAlias, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine, Row

from threadkit.errors import (
    ConflictError,
    InvalidParentError,
    NotFoundError,
    StorageUnavailableError,
    ValidationError,
)
from threadkit.guards import IdempotencyKey, VoteGuard
from threadkit.limits import COMMENT_MAX_BYTES
from threadkit.models import (
    Comment,
    CommentRows,
    EventKind,
    Identity,
    NewComment,
    Notice,
    OutboxMessage,
    Reason,
    RequestContext,
    SortOrder,
    Status,
    Thread,
    Visibility,
)

from . import _guards, _paths
from ._db import (
    DEFAULT_TIMEOUT,
    WRITE,
    DatabaseConfigurationError,
    create_engine,
    is_retryable,
    is_unavailable,
)
from ._deadline import call_deadline
from ._schema import (
    AUTHOR_KEY_LENGTH,
    IP_LENGTH,
    KEY_LENGTH,
    LONG_TEXT_BYTES,
    PATH_LENGTH,
    TEXT_BYTES,
    UTCDateTime,
    comments,
    outbox,
    threads,
    votes,
)

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DatabaseConfigurationError", "LoadRow", "SqlCommentStore"]

T = TypeVar("T")
_Row: TypeAlias = "Row[*tuple[Any, ...]]"

DEFAULT_MAX_BODY_BYTES = COMMENT_MAX_BYTES
"""Default limit on a comment's source text, in UTF-8 bytes: the core's comment limit."""

_C = comments.c
_T = threads.c
_SHOWN = (Status.APPROVED.value, Status.DELETED.value)
_HIDDEN = (Status.PENDING.value, Status.SPAM.value)
_STATUS = {status.value: status for status in Status}
_KIND = {kind.value: kind for kind in EventKind}
_RETRIES = 8
_log = logging.getLogger("threadkit_sqlalchemy")
_UNAVAILABLE = "The comment database is not answering right now; please try again in a few seconds."
_LOCKING = ("postgresql", "mysql", "mariadb")

# Columns every comment query reads, in the order _comment() expects them.
_COLUMNS = (
    _C.id,
    _C.parent_id,
    _C.root_id,
    _C.depth,
    _C.author_provider,
    _C.author_subject,
    _C.author_name,
    _C.author_email,
    _C.author_url,
    _C.author_avatar,
    _C.author_verified,
    _C.body_source,
    _C.body_html,
    _C.status,
    # Read as plain naive DateTime (no per-value TypeDecorator call); _comment()
    # attaches UTC, as UTCDateTime.process_result_value would.
    sa.type_coerce(_C.created_at, sa.DateTime()).label("created_at"),
    sa.type_coerce(_C.edited_at, sa.DateTime()).label("edited_at"),
    _C.upvotes,
    _C.downvotes,
    _C.reply_count,
    _C.reasons,
    _C.ctx_ip,
    _C.ctx_user_agent,
    _C.ctx_referrer,
    _C.ctx_language,
    _C.notify_replies,
    # storage columns, not part of a Comment
    _C.path,
    _C.sdepth,
    _C.sparent_id,
    _C.top_ord,
    _C.neg_score,
)
_PATH, _SDEPTH, _SPARENT, _TOP_ORD, _NEG_SCORE = range(25, 30)
# What a page needs of a top-level row before it knows whether the row fits:
# the tree and keyset columns; the rest are NULL, in the same positions. The
# page reads each kept top-level row in full with its descendants (the range
# scan starts at the row's own path), so no extra query.
_TOP_KEEP = frozenset({0, 1, 2, 3, _PATH, _SDEPTH, _SPARENT, _TOP_ORD, _NEG_SCORE})
_TOP_COLUMNS = tuple(
    column if index in _TOP_KEEP else sa.null().label(f"unread_{index}")
    for index, column in enumerate(_COLUMNS)
)
# Built once: a page adds its WHERE clauses to these (statements are immutable).
_SELECT_ROWS = sa.select(*_COLUMNS)
_SELECT_TOPS = sa.select(*_TOP_COLUMNS)


class LoadRow(Protocol):
    """One comment for :meth:`SqlCommentStore.bulk_load`.

    A :class:`~threadkit.models.Comment` or a
    :class:`threadkit.testing.generate.ThreadRow` fits. ``id`` and
    ``parent_id`` are the source's ids (the store assigns new ones); optional
    attributes ``edited_at``, ``reasons``, ``context`` and ``notify_replies``
    are read when present.
    """

    @property
    def id(self) -> int: ...  # noqa: D102 (a protocol member)

    @property
    def parent_id(self) -> int | None: ...  # noqa: D102

    @property
    def author(self) -> Identity: ...  # noqa: D102

    @property
    def body_source(self) -> str: ...  # noqa: D102

    @property
    def body_html(self) -> str: ...  # noqa: D102

    @property
    def status(self) -> Status: ...  # noqa: D102

    @property
    def created_at(self) -> datetime: ...  # noqa: D102

    @property
    def upvotes(self) -> int: ...  # noqa: D102

    @property
    def downvotes(self) -> int: ...  # noqa: D102


# --------------------------------------------------------------------- helpers


def _aware(moment: datetime, field: str) -> datetime:
    """Return ``moment`` in UTC; refuse a naive datetime with a ``ValidationError``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            "naive_datetime",
            f"{field} must be a timezone-aware datetime (e.g. datetime.now(UTC)).",
            field=field,
        )
    return moment.astimezone(UTC)


def _check_limit(value: int, field: str) -> None:
    """Refuse a limit below one."""
    if value < 1:
        raise ValidationError(
            "invalid_limit", f"{field} must be at least 1, not {value}.", field=field
        )


def _text(value: str, field: str, max_bytes: int) -> None:
    """Refuse text the database would not store byte-exact: too long, NUL, lone surrogates."""
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValidationError(
            "invalid_text", f"{field} is not valid Unicode text.", field=field
        ) from None
    if size > max_bytes:
        raise ValidationError(
            "too_long",
            f"{field} is {size} bytes long; the limit is {max_bytes} bytes (UTF-8).",
            field=field,
        )
    if "\x00" in value:
        raise ValidationError("invalid_text", f"{field} contains a NUL character.", field=field)


def _chars(value: str, field: str, max_chars: int) -> None:
    """Refuse an indexed string longer than its column (``max_chars`` characters)."""
    if len(value) > max_chars:
        raise ValidationError(
            "too_long",
            f"{field} is {len(value)} characters long; the limit is {max_chars}.",
            field=field,
        )
    _text(value, field, 4 * max_chars)


def _bad_cursor(cursor: str) -> ValidationError:
    """Build the error for a cursor this store did not make for this query."""
    return ValidationError(
        "invalid_cursor",
        f"Cursor {cursor!r} does not belong to this query; start again without a cursor.",
        field="cursor",
    )


def _split_cursor(cursor: str, kind: str, parts: int) -> list[str]:
    """Split ``"<kind>.<a>.<b>"`` into its parts, checking kind and arity."""
    pieces = cursor.split(".")
    if len(pieces) != parts + 1 or pieces[0] != kind:
        raise _bad_cursor(cursor)
    return pieces[1:]


def _int_cursor(cursor: str, kind: str, parts: int) -> list[int]:
    """Split a cursor whose parts are integers."""
    try:
        return [int(piece) for piece in _split_cursor(cursor, kind, parts)]
    except ValueError:
        raise _bad_cursor(cursor) from None


def _reasons_json(reasons: Sequence[Reason]) -> str:
    """Serialize moderation reasons (empty string for none)."""
    if not reasons:
        return ""
    return json.dumps([[r.step, r.code, r.message] for r in reasons], ensure_ascii=False)


def _reasons(text: str) -> tuple[Reason, ...]:
    """Parse what :func:`_reasons_json` wrote."""
    if not text:
        return ()
    return tuple(Reason(step, code, message) for step, code, message in json.loads(text))


@functools.lru_cache(maxsize=8192)
def _identity(
    provider: str,
    subject: str,
    name: str,
    email: str | None,
    url: str | None,
    avatar: str | None,
    verified: bool,
) -> Identity:
    """Build (or reuse: they are frozen) the author snapshot of a row."""
    return Identity(provider, subject, name, email, url, avatar, bool(verified))


@functools.lru_cache(maxsize=8192)
def _context(ip: str, user_agent: str, referrer: str, language: str) -> RequestContext:
    """Build (or reuse) the request context of a row."""
    return RequestContext(ip, user_agent, referrer, language)


def _utc(value: datetime | str) -> datetime:
    """Return a stored naive UTC timestamp (or SQLite's text of one) as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def _comment(row: _Row | Sequence[Any], thread_key: str) -> Comment:
    """Build a :class:`Comment` from a row of :data:`_COLUMNS`.

    The timestamps come back naive (stored as UTC); this attaches UTC.
    """
    (
        comment_id,
        parent_id,
        root_id,
        depth,
        provider,
        subject,
        name,
        email,
        url,
        avatar,
        verified,
        body_source,
        body_html,
        status,
        created_at,
        edited_at,
        upvotes,
        downvotes,
        reply_count,
        reasons,
        ip,
        user_agent,
        referrer,
        language,
        notify,
    ) = row[:25]
    return Comment(
        comment_id,
        thread_key,
        parent_id,
        comment_id if root_id is None else root_id,
        depth,
        _identity(provider, subject, name, email, url, avatar, verified),
        body_source,
        body_html,
        _STATUS[status],
        _utc(created_at),
        None if edited_at is None else _utc(edited_at),
        upvotes,
        downvotes,
        reply_count,
        _reasons(reasons) if reasons else (),
        _context(ip, user_agent, referrer, language),
        bool(notify),
    )


def _raw_rows(conn: Connection, query: sa.Select[Any]) -> list[_Row]:
    """Run ``query`` and return the driver's own row tuples, unprocessed.

    For the page path's bulk reads of :data:`_COLUMNS`: skips SQLAlchemy's
    per-value result processing and Row objects. What the drivers return
    differs only in the timestamps (a string on SQLite, a naive datetime
    elsewhere) and booleans (0/1 on SQLite and MariaDB); :func:`_comment`
    handles both.
    """
    result = conn.execute(query)
    try:
        cursor = result.cursor
        rows = [] if cursor is None else cursor.fetchall()
        # PyMySQL answers a tuple; callers may cut the list in place.
        return cast("list[_Row]", rows if isinstance(rows, list) else list(rows))
    finally:
        result.close()


def _thread(row: _Row) -> Thread:
    """Build a :class:`Thread` from a row of the threads table."""
    return Thread(
        key=row.key,
        created_at=row.created_at,
        title=row.title,
        url=row.url,
        closed=bool(row.closed),
        comment_count=row.comment_count,
        top_level_count=row.top_level_count,
    )


def _visible(visibility: Visibility, c: Any = _C) -> sa.ColumnElement[bool]:
    """Return SQL for "this reader may see the row" (see :meth:`Visibility.can_see`).

    ``c`` is the columns of ``comments`` or of an alias of it.
    """
    allowed: list[sa.ColumnElement[bool]] = [c.status.in_(_SHOWN)]
    if visibility.viewer_key is not None:
        allowed.append(sa.and_(c.author_key == visibility.viewer_key, c.status.in_(_HIDDEN)))
    if visibility.moderator:
        allowed.append(c.status == Status.PENDING.value)
    return sa.or_(*allowed)


def _listed_top(visibility: Visibility) -> sa.ColumnElement[bool]:
    """Return SQL for "a page lists this top-level row": the reader sees it or a descendant.

    A hidden top-level comment holds the place of the replies this reader
    may see (the engine shows it as a placeholder); the ``EXISTS`` is a
    range probe of the ``(thread_id, path)`` index, made only for hidden rows.
    """
    below = comments.alias("below")
    seen_below = sa.exists().where(
        below.c.thread_id == _C.thread_id,
        below.c.path > _C.path,
        below.c.path < _C.path + _paths.END,
        _visible(visibility, below.c),
    )
    return sa.or_(_visible(visibility), seen_below)


def _body_hash(body_source: str) -> str:
    """Return the digest that indexes a body for duplicate checks (128 bits of SHA-256)."""
    return hashlib.sha256(body_source.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _author_values(author: Identity) -> dict[str, Any]:
    """Column values of an author snapshot."""
    return {
        "author_provider": author.provider,
        "author_subject": author.subject,
        "author_key": author.key,
        "author_name": author.name,
        "author_email": author.email,
        "author_url": author.url,
        "author_avatar": author.avatar,
        "author_verified": author.verified,
    }


def _context_values(context: RequestContext) -> dict[str, Any]:
    """Column values of a request context."""
    return {
        "ctx_ip": context.ip,
        "ctx_user_agent": context.user_agent,
        "ctx_referrer": context.referrer,
        "ctx_language": context.language,
    }


def _unavailable(error: exc.DBAPIError | exc.TimeoutError) -> StorageUnavailableError:
    """Log the driver's error and return one that names no host, port or driver."""
    cause = error.orig if isinstance(error, exc.DBAPIError) else error
    _log.warning("comment database unavailable: %s: %s", type(cause).__name__, cause)
    return StorageUnavailableError("storage_unavailable", _UNAVAILABLE)


class SqlCommentStore:
    """A :class:`~threadkit.ports.CommentStore` on SQLite, PostgreSQL or MariaDB/MySQL.

    ``url`` is a SQLAlchemy URL (``sqlite:///comments.db``,
    ``postgresql+psycopg://user@host/db``, ``mysql+pymysql://user@host/db``) or
    an :class:`~sqlalchemy.engine.Engine` made by
    :func:`threadkit_sqlalchemy.create_engine`. With ``upgrade=True`` the
    schema is brought to this release's head on start; otherwise a schema
    that is missing or older raises :class:`DatabaseConfigurationError`
    (run ``threadkit-db upgrade --url URL``). An unreachable database raises
    :class:`~threadkit.errors.StorageUnavailableError`, on start and on every
    call.

    ``max_body_bytes`` limits a comment's source text (UTF-8 bytes; a longer
    one is refused with ``ValidationError(field="body")`` before the database
    sees it). ``timeout`` (seconds, default 10) bounds each call: every wait
    inside it (a pooled connection, a new connection, each reply, SQLite's
    lock) shares that time, and a database that is down, refuses or stops
    answering raises ``StorageUnavailableError`` within it, with a message
    that names no host or driver (the driver's error is logged on the
    ``threadkit_sqlalchemy`` logger). ``connect_timeout`` and
    ``statement_timeout`` (seconds, at most ``timeout``) narrow the connect
    and the server-side statement limit. ``storage_depth_cap`` is the
    deepest storage level (at least 100 in production; smaller values exist
    for tests). SQLite only: ``synchronous`` (``FULL`` by default) and
    ``busy_timeout_ms`` (5000, or ``timeout`` if shorter).
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
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self.storage_depth_cap = storage_depth_cap
        self._dialect = self.engine.dialect.name
        self._locks = self._dialect in _LOCKING
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

    def _run(self, work: Callable[[Connection], T], *, write: bool) -> T:
        """Run ``work`` in one transaction, retrying collisions; map outages.

        A threadkit error raised by ``work`` rolls the transaction back and
        propagates; a deadlock or serialization failure reruns ``work`` while
        the call has time left; an unreachable or timed-out database becomes
        ``StorageUnavailableError``. Every wait of every attempt shares one
        deadline, ``self.timeout`` from the start of the call.
        """
        with call_deadline(self.timeout) as deadline:
            attempt = 0
            while True:
                attempt += 1
                try:
                    with self.engine.connect() as conn:
                        if write:
                            conn.execution_options(**{WRITE: True})
                        with conn.begin():
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

    def _read(self, work: Callable[[Connection], T]) -> T:
        return self._run(work, write=False)

    def _write(self, work: Callable[[Connection], T]) -> T:
        return self._run(work, write=True)

    def _for_update(self, query: sa.Select[Any]) -> sa.Select[Any]:
        """Lock the selected rows until commit (SQLite's BEGIN IMMEDIATE already does)."""
        return query.with_for_update() if self._locks else query

    # --- threads -----------------------------------------------------------

    def ensure_thread(self, key: str, *, title: str = "", url: str = "", now: datetime) -> Thread:
        """Return the thread ``key``, creating it (open, no comments) if it is new.

        An existing thread keeps its title and url unless it had none.
        """
        created_at = _aware(now, "now")
        _chars(key, "thread_key", KEY_LENGTH)
        _text(title, "title", TEXT_BYTES)
        _text(url, "url", TEXT_BYTES)
        found = self.get_thread(key)
        if found is not None and (found.title or not title) and (found.url or not url):
            return found

        def work(conn: Connection) -> Thread:
            row = conn.execute(self._for_update(sa.select(threads).where(_T.key == key))).first()
            if row is None:
                conn.execute(
                    sa.insert(threads).values(
                        key=key,
                        title=title,
                        url=url,
                        closed=False,
                        created_at=created_at,
                        comment_count=0,
                        top_level_count=0,
                        top_seq=0,
                    )
                )
                return Thread(key, created_at, title, url)
            thread = _thread(row)
            changes = {}
            if title and not thread.title:
                changes["title"] = title
            if url and not thread.url:
                changes["url"] = url
            if not changes:
                return thread
            conn.execute(sa.update(threads).where(_T.id == row.id).values(**changes))
            return Thread(
                key,
                thread.created_at,
                changes.get("title", thread.title),
                changes.get("url", thread.url),
                thread.closed,
                thread.comment_count,
                thread.top_level_count,
            )

        return self._write(work)

    def get_thread(self, key: str) -> Thread | None:
        """Return the thread ``key``, or ``None``."""

        def work(conn: Connection) -> Thread | None:
            row = conn.execute(sa.select(threads).where(_T.key == key)).first()
            return None if row is None else _thread(row)

        return self._read(work)

    def set_thread_closed(self, key: str, closed: bool) -> Thread:
        """Open or close a thread; raise ``NotFoundError`` if it does not exist."""

        def work(conn: Connection) -> Thread:
            result = conn.execute(sa.update(threads).where(_T.key == key).values(closed=closed))
            row = conn.execute(sa.select(threads).where(_T.key == key)).first()
            if result.rowcount == 0 and row is None:
                raise self._no_thread(key)
            assert row is not None
            return _thread(row)

        return self._write(work)

    def counts(self, keys: Sequence[str]) -> dict[str, int]:
        """Approved-comment counts for many threads at once; unknown keys count 0."""
        wanted = list(dict.fromkeys(keys))

        def work(conn: Connection) -> dict[str, int]:
            found: dict[str, int] = {}
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = sa.select(_T.key, _T.comment_count).where(_T.key.in_(chunk))
                found.update({key: count for key, count in conn.execute(query)})
            return {key: found.get(key, 0) for key in keys}

        return self._read(work) if wanted else {}

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
    ) -> None:
        """Refuse, before the database, any value it could not store byte-exact."""
        _text(body_source, "body", self.max_body_bytes)
        _text(body_html, "body", LONG_TEXT_BYTES)
        _chars(author.key, "author", AUTHOR_KEY_LENGTH)
        for value in (author.name, author.email, author.url, author.avatar):
            if value is not None:
                _text(value, "author", TEXT_BYTES)
        _chars(context.ip, "ip", IP_LENGTH)
        for value in (context.user_agent, context.referrer, context.language):
            _text(value, "context", TEXT_BYTES)
        _text(_reasons_json(reasons), "reasons", TEXT_BYTES)

    def add_comment(self, draft: NewComment, notices: Sequence[Notice] = ()) -> Comment:
        """Store a new comment and queue ``notices`` about it, in one transaction.

        The store assigns ``id``, ``root_id`` and ``depth`` from the parent,
        updates the counters, and raises ``InvalidParentError`` if the parent
        does not exist or lies in another thread, ``NotFoundError`` if the
        thread does not exist.
        """
        created_at = _aware(draft.created_at, "created_at")
        self._check_comment_text(
            draft.author, draft.body_source, draft.body_html, draft.reasons, draft.context
        )
        for notice in notices:
            _chars(notice.channel, "channel", KEY_LENGTH)
        cap = self.storage_depth_cap

        def work(conn: Connection) -> Comment:
            thread = conn.execute(
                self._for_update(sa.select(_T.id, _T.top_seq).where(_T.key == draft.thread_key))
            ).first()
            if thread is None:
                raise self._no_thread(draft.thread_key)
            if draft.idempotency is not None:
                replayed = _guards.replay(
                    conn, draft.idempotency, created_at, self._fetch_comment, write=True
                )
                if replayed is not None:
                    return replayed
            if draft.guards:
                # Under the thread's lock (and the guards' own): atomic with the insert below.
                _guards.check_comment_guards(
                    conn, draft, thread.id, _body_hash(draft.body_source), created_at
                )
            top_seq = thread.top_seq
            root_id: int | None = None
            if draft.parent_id is None:
                top_seq += 1
                top_ord = top_seq
                path = _paths.segment(top_ord)
                depth = sdepth = 0
                sparent_id = None
            else:
                parent = conn.execute(
                    self._for_update(
                        sa.select(
                            _C.id,
                            _C.thread_id,
                            _C.root_id,
                            _C.depth,
                            _C.sdepth,
                            _C.sparent_id,
                            _C.path,
                            _C.child_seq,
                            _C.top_ord,
                        ).where(_C.id == draft.parent_id)
                    )
                ).first()
                if parent is None or parent.thread_id != thread.id:
                    raise InvalidParentError(
                        "invalid_parent",
                        f"Comment {draft.parent_id} does not exist in thread"
                        f" {draft.thread_key!r}; reply to a comment of the same thread.",
                        field="parent_id",
                    )
                root_id = parent.id if parent.root_id is None else parent.root_id
                depth = parent.depth + 1
                top_ord = parent.top_ord
                holder = parent
                if parent.sdepth >= cap:
                    holder = conn.execute(
                        self._for_update(
                            sa.select(_C.id, _C.sdepth, _C.path, _C.child_seq).where(
                                _C.id == parent.sparent_id
                            )
                        )
                    ).one()
                ordinal = holder.child_seq + 1
                conn.execute(
                    sa.update(comments).where(_C.id == holder.id).values(child_seq=ordinal)
                )
                sparent_id = holder.id
                sdepth = holder.sdepth + 1
                path = holder.path + _paths.segment(ordinal)
            values = {
                "thread_id": thread.id,
                "parent_id": draft.parent_id,
                "root_id": root_id,
                "sparent_id": sparent_id,
                "depth": depth,
                "sdepth": sdepth,
                "top_ord": top_ord,
                "path": path,
                "child_seq": 0,
                **_author_values(draft.author),
                "body_source": draft.body_source,
                "body_html": draft.body_html,
                "body_hash": _body_hash(draft.body_source),
                "status": draft.status.value,
                "created_at": created_at,
                "edited_at": None,
                "upvotes": 0,
                "downvotes": 0,
                "neg_score": 0,
                "reply_count": 0,
                "reasons": _reasons_json(draft.reasons),
                **_context_values(draft.context),
                "notify_replies": draft.notify_replies,
            }
            inserted = conn.execute(sa.insert(comments).values(**values))
            key = inserted.inserted_primary_key
            assert key is not None
            comment_id = int(key[0])
            approved = draft.status is Status.APPROVED
            conn.execute(
                sa.update(threads)
                .where(_T.id == thread.id)
                .values(
                    top_seq=top_seq,
                    comment_count=_T.comment_count + int(approved),
                    top_level_count=_T.top_level_count + int(approved and draft.parent_id is None),
                )
            )
            if draft.parent_id is None:
                conn.execute(
                    sa.update(comments).where(_C.id == comment_id).values(root_id=comment_id)
                )
            elif draft.status.value in _SHOWN:
                conn.execute(
                    sa.update(comments)
                    .where(_C.id == draft.parent_id)
                    .values(reply_count=_C.reply_count + 1)
                )
            self._queue(conn, comment_id, draft.thread_key, notices, created_at)
            if draft.idempotency is not None:
                _guards.remember_key(conn, draft.idempotency, comment_id, created_at)
            return Comment(
                id=comment_id,
                thread_key=draft.thread_key,
                parent_id=draft.parent_id,
                root_id=comment_id if root_id is None else root_id,
                depth=depth,
                author=draft.author,
                body_source=draft.body_source,
                body_html=draft.body_html,
                status=draft.status,
                created_at=created_at,
                reasons=draft.reasons,
                context=draft.context,
                notify_replies=draft.notify_replies,
            )

        return self._write(work)

    def _queue(
        self,
        conn: Connection,
        comment_id: int,
        thread_key: str,
        notices: Sequence[Notice],
        at: datetime,
    ) -> None:
        """Queue one outbox message per notice, due at ``at``, in the caller's transaction."""
        if not notices:
            return
        conn.execute(
            sa.insert(outbox),
            [
                {
                    "channel": notice.channel,
                    "kind": notice.kind.value,
                    "comment_id": comment_id,
                    "thread_key": thread_key,
                    "created_at": at,
                    "attempts": 0,
                    "next_attempt_at": at,
                    "leased_until": None,
                    "last_error": "",
                }
                for notice in notices
            ],
        )

    def _select_comments(self) -> sa.Select[Any]:
        """Select :data:`_COLUMNS` plus the thread key (last), joined to the thread."""
        return sa.select(*_COLUMNS, _T.key).join_from(comments, threads, _C.thread_id == _T.id)

    def _fetch_comment(self, conn: Connection, comment_id: int) -> Comment | None:
        row = conn.execute(self._select_comments().where(_C.id == comment_id)).first()
        return None if row is None else _comment(row, row[-1])

    def find_idempotent(self, key: IdempotencyKey, *, now: datetime) -> Comment | None:
        """Return the comment a live (unexpired at ``now``) ``key`` made, or ``None``.

        Raises ``key.reused()`` if the key was stored with another
        ``fingerprint``, and ``key.gone()`` if its comment has been removed.
        """
        at = _aware(now, "now")
        return self._read(
            lambda conn: _guards.replay(conn, key, at, self._fetch_comment, write=False)
        )

    def get_comment(self, comment_id: int) -> Comment | None:
        """Return one comment in any status, or ``None``."""
        return self._read(lambda conn: self._fetch_comment(conn, comment_id))

    def _lock_comment(self, conn: Connection, comment_id: int) -> _Row:
        """Lock a comment's thread row, then the comment; return the comment's row."""
        found = conn.execute(sa.select(_C.thread_id).where(_C.id == comment_id)).first()
        if found is None:
            raise self._no_comment(comment_id)
        conn.execute(self._for_update(sa.select(_T.id).where(_T.id == found.thread_id)))
        row = conn.execute(
            self._for_update(
                sa.select(_C.id, _C.thread_id, _C.parent_id, _C.status, _T.key)
                .join_from(comments, threads, _C.thread_id == _T.id)
                .where(_C.id == comment_id)
            )
        ).first()
        if row is None:
            raise self._no_comment(comment_id)
        return row

    def _recount(self, conn: Connection, row: _Row, old: str, new: str | None) -> None:
        """Move the counters when a comment goes from status ``old`` to ``new`` (None: gone)."""
        approved = int(new == Status.APPROVED.value) - int(old == Status.APPROVED.value)
        if approved:
            conn.execute(
                sa.update(threads)
                .where(_T.id == row.thread_id)
                .values(
                    comment_count=_T.comment_count + approved,
                    top_level_count=_T.top_level_count + (approved if row.parent_id is None else 0),
                )
            )
        shown = int(new in _SHOWN) - int(old in _SHOWN)
        if shown and row.parent_id is not None:
            conn.execute(
                sa.update(comments)
                .where(_C.id == row.parent_id)
                .values(reply_count=_C.reply_count + shown)
            )

    def update_comment(
        self, comment: Comment, notices: Sequence[Notice] = (), *, now: datetime
    ) -> Comment:
        """Write the mutable fields of ``comment`` and queue ``notices``, in one transaction.

        Mutable fields: ``author``, ``body_source``, ``body_html``, ``status``,
        ``edited_at``, ``reasons``, ``context``, ``notify_replies``; every
        other field is ignored. Counters follow the change of status. Raises
        ``NotFoundError`` for an unknown id.
        """
        at = _aware(now, "now")
        edited_at = None if comment.edited_at is None else _aware(comment.edited_at, "edited_at")
        self._check_comment_text(
            comment.author, comment.body_source, comment.body_html, comment.reasons, comment.context
        )
        for notice in notices:
            _chars(notice.channel, "channel", KEY_LENGTH)

        def work(conn: Connection) -> Comment:
            row = self._lock_comment(conn, comment.id)
            conn.execute(
                sa.update(comments)
                .where(_C.id == comment.id)
                .values(
                    **_author_values(comment.author),
                    body_source=comment.body_source,
                    body_html=comment.body_html,
                    body_hash=_body_hash(comment.body_source),
                    status=comment.status.value,
                    edited_at=edited_at,
                    reasons=_reasons_json(comment.reasons),
                    **_context_values(comment.context),
                    notify_replies=comment.notify_replies,
                )
            )
            if row.status != comment.status.value:
                self._recount(conn, row, row.status, comment.status.value)
            self._queue(conn, comment.id, row.key, notices, at)
            updated = self._fetch_comment(conn, comment.id)
            assert updated is not None
            return updated

        return self._write(work)

    def remove_comment(self, comment_id: int) -> None:
        """Delete a comment that has no replies (of any status) for good.

        Raises ``ConflictError`` if it still has replies, ``NotFoundError`` if
        it does not exist. Counters and the comment's votes go with it; queued
        outbox messages about it stay (the notifier then gets no comment).
        """

        def work(conn: Connection) -> None:
            row = self._lock_comment(conn, comment_id)
            reply = conn.execute(sa.select(_C.id).where(_C.parent_id == comment_id).limit(1))
            if reply.first() is not None:
                raise ConflictError(
                    "has_replies",
                    f"Comment {comment_id} still has replies; replace it with a deleted"
                    " placeholder instead of removing it.",
                )
            conn.execute(sa.delete(votes).where(votes.c.comment_id == comment_id))
            conn.execute(sa.delete(comments).where(_C.id == comment_id))
            self._recount(conn, row, row.status, None)

        self._write(work)

    def child_count(self, comment_id: int) -> int:
        """How many direct replies ``comment_id`` has, in any status."""
        query = sa.select(sa.func.count()).select_from(comments).where(_C.parent_id == comment_id)
        return self._read(lambda conn: int(conn.execute(query).scalar_one()))

    # --- reading pages -----------------------------------------------------

    def _preorder(self, rows: list[_Row]) -> list[_Row]:
        """Put flattened runs (rows stored at the depth cap) back into depth-first order.

        Rows below the cap come in path order, which is depth first already.
        Rows at the cap under one storage parent are stored in creation order;
        within each such run, children follow their true parent.
        """
        cap = self.storage_depth_cap
        if not any(row[_SDEPTH] >= cap for row in rows):
            return rows
        ordered: list[_Row] = []
        run: list[_Row] = []
        for row in rows:
            if row[_SDEPTH] >= cap and (not run or run[0][_SPARENT] == row[_SPARENT]):
                run.append(row)
                continue
            ordered.extend(self._run_preorder(run))
            run = [row] if row[_SDEPTH] >= cap else []
            if not run:
                ordered.append(row)
        ordered.extend(self._run_preorder(run))
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

    def _tops(
        self,
        conn: Connection,
        thread_id: int,
        sort: SortOrder,
        visible: sa.ColumnElement[bool],
        cursor: str | None,
        limit: int,
    ) -> list[_Row]:
        """Return the next ``limit`` visible top-level rows in ``sort`` order after ``cursor``."""
        query = _SELECT_TOPS.where(_C.thread_id == thread_id, _C.depth == 0, visible)
        if sort is SortOrder.TOP:
            if cursor is not None:
                score, after = _int_cursor(cursor, "t", 2)
                query = query.where(
                    _C.neg_score >= -score, sa.or_(_C.neg_score > -score, _C.id > after)
                )
            query = query.order_by(_C.neg_score, _C.id)
        elif sort is SortOrder.NEWEST:
            if cursor is not None:
                query = query.where(_C.top_ord < _int_cursor(cursor, "n", 1)[0])
            query = query.order_by(_C.top_ord.desc())
        else:
            if cursor is not None:
                query = query.where(_C.top_ord > _int_cursor(cursor, "o", 1)[0])
            query = query.order_by(_C.top_ord)
        return _raw_rows(conn, query.limit(limit))

    @staticmethod
    def _top_cursor(sort: SortOrder, top: _Row) -> str:
        if sort is SortOrder.TOP:
            return f"t.{-top[_NEG_SCORE]}.{top[0]}"
        return f"{'n' if sort is SortOrder.NEWEST else 'o'}.{top[_TOP_ORD]}"

    def _descendants(
        self,
        conn: Connection,
        thread_id: int,
        low: str,
        high: str,
        visible: sa.ColumnElement[bool],
        limit: int,
        roots: Sequence[int] | None = None,
        *,
        with_low: bool = False,
    ) -> list[_Row]:
        """Visible rows with ``low < path < high``, in path order, at most ``limit``.

        ``with_low`` includes the row at ``low`` itself (``low <= path``).
        With ``roots``, only top-level rows and descendants of ``roots``.
        """
        query = _SELECT_ROWS.where(
            _C.thread_id == thread_id,
            _C.path >= low if with_low else _C.path > low,
            _C.path < high,
            visible,
        )
        if roots is not None:
            query = query.where(sa.or_(_C.depth == 0, _C.root_id.in_(roots)))
        return _raw_rows(conn, query.order_by(_C.path).limit(limit))

    def page(
        self,
        thread_key: str,
        *,
        sort: SortOrder,
        visibility: Visibility,
        cursor: str | None = None,
        top_limit: int,
        total_limit: int,
    ) -> CommentRows:
        """Return one page of a thread.

        Same semantics as :meth:`threadkit.memory.MemoryStore.page`: the next
        ``top_limit`` visible top-level comments in ``sort`` order, each with
        its visible descendants depth first (siblings oldest first), at most
        ``total_limit`` rows; a top-level comment comes with all its visible
        descendants, except the first, which is cut at ``total_limit``.
        """
        _check_limit(top_limit, "top_limit")
        _check_limit(total_limit, "total_limit")
        seen = _visible(visibility)

        def work(conn: Connection) -> CommentRows:
            thread_id = conn.execute(sa.select(_T.id).where(_T.key == thread_key)).scalar()
            if thread_id is None:
                return CommentRows([])
            tops = self._tops(conn, thread_id, sort, _listed_top(visibility), cursor, top_limit + 1)
            more = len(tops) > top_limit
            tops = tops[:top_limit]
            if not tops:
                return CommentRows([])
            # The listed tops come back whatever their status (a hidden one holds a place).
            visible = sa.or_(seen, _C.id.in_([top[0] for top in tops]))
            blocks: Callable[[int, _Row, int], tuple[list[_Row], bool]]
            if sort is SortOrder.OLDEST:
                blocks = self._oldest_blocks(conn, thread_id, tops, visible, total_limit)
            else:

                def blocks(index: int, top: _Row, room: int) -> tuple[list[_Row], bool]:
                    # The top-level row itself (all its columns) comes first.
                    found = self._descendants(
                        conn,
                        thread_id,
                        top[_PATH],
                        top[_PATH] + _paths.END,
                        visible,
                        room + 1,
                        with_low=True,
                    )
                    if not found or found[0][0] != top[0]:
                        return [], True  # hidden since the keyset scan (concurrent change)
                    return found, len(found) <= room

            rows: list[_Row] = []
            last: _Row | None = None
            for index, top in enumerate(tops):
                room = total_limit - len(rows)
                if room <= 0:
                    more = True
                    break
                block, complete = blocks(index, top, room)
                if not block:  # gone since the keyset scan, or past the end of the read
                    if not complete:
                        more = True
                        break
                    last = top
                    continue
                if not complete:
                    if last is not None:
                        more = True
                        break
                    block = block[:room]
                rows.extend(self._preorder(block))
                last = top
            next_cursor = self._top_cursor(sort, last) if more and last is not None else None
            return CommentRows([_comment(row, thread_key) for row in rows], next_cursor)

        return self._read(work)

    def _oldest_blocks(
        self,
        conn: Connection,
        thread_id: int,
        tops: list[_Row],
        visible: sa.ColumnElement[bool],
        total_limit: int,
    ) -> Callable[[int, _Row, int], tuple[list[_Row], bool]]:
        """Fetch every top of an oldest-first page, all columns, and their descendants.

        One range scan: the visible top-level rows in the range are exactly
        ``tops`` (the keyset scan's), each followed by its descendants. When
        the scan stops at its limit, the block it stopped in and every later
        one may be incomplete. ``total_limit + 1`` rows are enough: the
        blocks before the one the scan stopped in hold at most
        ``total_limit`` rows, and that block cannot fit beside them (or, when
        it is the first, is cut at ``total_limit``).
        """
        limit = total_limit + 1
        found = self._descendants(
            conn,
            thread_id,
            tops[0][_PATH],
            tops[-1][_PATH] + _paths.END,
            visible,
            limit,
            roots=[top[0] for top in tops],
            with_low=True,
        )
        full: dict[int, _Row] = {}
        groups: dict[int, list[_Row]] = {}
        for row in found:
            if row[3] == 0:
                full[row[0]] = row
            else:
                groups.setdefault(row[2], []).append(row)
        cut_from = len(tops)
        if len(found) >= limit:
            # The scan stopped inside the block of the last top at or before its last row.
            last_path = found[-1][_PATH]
            cut_from = 0
            for index, top in enumerate(tops):
                if top[_PATH] > last_path:
                    break
                cut_from = index

        def blocks(index: int, top: _Row, room: int) -> tuple[list[_Row], bool]:
            head = full.get(top[0])
            if head is None:
                # Hidden since the keyset scan (concurrent change), or past the cut.
                return [], index < cut_from
            block = [head, *groups.get(top[0], ())]
            return block, index < cut_from and len(block) <= room

        return blocks

    def subtree(
        self,
        comment_id: int,
        *,
        visibility: Visibility,
        cursor: str | None = None,
        total_limit: int,
    ) -> CommentRows:
        """Return visible descendants of ``comment_id``, not the comment itself.

        Depth first, siblings oldest first (parents before children), at most
        ``total_limit``; ``next_cursor`` continues. An unknown id gives no rows.
        """
        _check_limit(total_limit, "total_limit")
        visible = _visible(visibility)

        def work(conn: Connection) -> CommentRows:
            head = conn.execute(
                sa.select(_C.thread_id, _C.path, _C.sdepth, _C.sparent_id, _T.key)
                .join_from(comments, threads, _C.thread_id == _T.id)
                .where(_C.id == comment_id)
            ).first()
            if head is None:
                return CommentRows([])
            if head.sdepth >= self.storage_depth_cap:
                return self._flat_subtree(conn, comment_id, head, visibility, cursor, total_limit)
            low = head.path
            if cursor is not None:
                root, after = _split_cursor(cursor, "s", 2)
                if root != str(comment_id) or not after.startswith(head.path):
                    raise _bad_cursor(cursor)
                low = after
            found = self._descendants(
                conn, head.thread_id, low, head.path + _paths.END, visible, total_limit + 1
            )
            next_cursor = None
            if len(found) > total_limit:
                del found[total_limit:]
                next_cursor = f"s.{comment_id}.{found[-1][_PATH]}"
            return CommentRows(
                [_comment(row, head.key) for row in self._preorder(found)], next_cursor
            )

        return self._read(work)

    def _flat_subtree(
        self,
        conn: Connection,
        comment_id: int,
        head: _Row,
        visibility: Visibility,
        cursor: str | None,
        total_limit: int,
    ) -> CommentRows:
        """Subtree of a comment stored at the depth cap: its replies are its storage siblings.

        Reads the flattened run after the comment (its size, not the
        thread's, bounds the cost) and keeps the true descendants.
        """
        holder = conn.execute(sa.select(_C.path).where(_C.id == head.sparent_id)).scalar_one()
        run = self._descendants(
            conn, head.thread_id, head.path, holder + _paths.END, sa.true(), 2**62
        )
        members = {comment_id}
        mine: list[_Row] = []
        for row in run:
            if row[1] in members:
                members.add(row[0])
                mine.append(row)
        ordered = [
            row for row in self._run_preorder(mine) if visibility.can_see(_comment(row, head.key))
        ]
        start = 0
        if cursor is not None:
            root, after = _int_cursor(cursor, "f", 2)
            ids = [row[0] for row in ordered]
            if root != comment_id or after not in ids:
                raise _bad_cursor(cursor)
            start = ids.index(after) + 1
        block = ordered[start : start + total_limit]
        next_cursor = None
        if start + total_limit < len(ordered):
            next_cursor = f"f.{comment_id}.{block[-1][0]}"
        return CommentRows([_comment(row, head.key) for row in block], next_cursor)

    def recent(self, limit: int, thread_key: str | None = None) -> list[Comment]:
        """Return the newest approved comments, newest first, optionally of one thread."""
        if limit < 1:
            return []
        query = self._select_comments().where(_C.status == Status.APPROVED.value)
        if thread_key is not None:
            thread_id = sa.select(_T.id).where(_T.key == thread_key).scalar_subquery()
            query = query.where(_C.thread_id == thread_id)
        query = query.order_by(_C.id.desc()).limit(limit)
        return self._read(lambda conn: [_comment(row, row[-1]) for row in conn.execute(query)])

    def moderation_queue(
        self, statuses: Sequence[Status], *, limit: int, cursor: str | None = None
    ) -> CommentRows:
        """Comments in ``statuses``, newest first, for the moderation queue."""
        _check_limit(limit, "limit")
        before = None if cursor is None else _int_cursor(cursor, "q", 1)[0]

        def work(conn: Connection) -> CommentRows:
            found: list[_Row] = []
            for status in {s.value for s in statuses}:
                query = self._select_comments().where(_C.status == status)
                if before is not None:
                    query = query.where(_C.id < before)
                found.extend(conn.execute(query.order_by(_C.id.desc()).limit(limit + 1)))
            found.sort(key=lambda row: row[0], reverse=True)
            block = [_comment(row, row[-1]) for row in found[: limit + 1]]
            if len(block) <= limit:
                return CommentRows(block)
            del block[limit:]
            return CommentRows(block, f"q.{block[-1].id}")

        return self._read(work)

    def comments_by_author(self, author_key: str) -> list[Comment]:
        """Every comment whose ``author.key`` is ``author_key``, oldest first."""
        query = self._select_comments().where(_C.author_key == author_key).order_by(_C.id)
        return self._read(lambda conn: [_comment(row, row[-1]) for row in conn.execute(query)])

    # --- history the moderation steps ask about ------------------------------

    def latest_comment_at(
        self, *, ip: str | None = None, author_key: str | None = None
    ) -> datetime | None:
        """When the newest comment from this IP or author was written (any status).

        With both given, a comment matching either counts; with neither, ``None``.
        """
        queries = []
        if ip is not None:
            queries.append(sa.select(sa.func.max(_C.created_at)).where(_C.ctx_ip == ip))
        if author_key is not None:
            queries.append(sa.select(sa.func.max(_C.created_at)).where(_C.author_key == author_key))
        if not queries:
            return None

        def work(conn: Connection) -> datetime | None:
            found = [conn.execute(query).scalar() for query in queries]
            # MAX() comes back untyped on some backends; normalise to aware UTC.
            moments = [self._as_utc(value) for value in found if value is not None]
            return max(moments, default=None)

        return self._read(work)

    @staticmethod
    def _as_utc(value: datetime | str) -> datetime:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def has_duplicate(self, thread_key: str, author_key: str, body_source: str) -> bool:
        """Whether this author already wrote exactly this body in this thread (any status).

        Looks up the ``(author_key, body_hash)`` index only, so the cost is the
        author's identical bodies, never the thread's or the author's size.
        """
        query = (
            sa.select(_T.key, _C.body_source)
            .join_from(comments, threads, _C.thread_id == _T.id)
            .where(_C.author_key == author_key, _C.body_hash == _body_hash(body_source))
        )

        def work(conn: Connection) -> bool:
            return any(
                key == thread_key and body == body_source for key, body in conn.execute(query)
            )

        return self._read(work)

    def verified_author_names(self, after_id: int = 0) -> tuple[list[str], int]:
        """Return the names of verified authors of comments after ``after_id``, and the last id.

        Placeholders aside. A range of the primary key: ``ImpersonationGuard``
        asks for what is new since its last look, and reads everything again
        only now and then.
        """

        def work(conn: Connection) -> tuple[list[str], int]:
            last = max(after_id, int(conn.execute(sa.select(sa.func.max(_C.id))).scalar() or 0))
            names = (
                sa.select(_C.author_name)
                .where(
                    _C.id > after_id,
                    _C.id <= last,
                    _C.author_verified == sa.true(),
                    _C.status != Status.DELETED.value,
                )
                .distinct()
            )
            return sorted(str(name) for name in conn.execute(names).scalars()), last

        return self._read(work)

    def has_approved_comment(self, author_key: str) -> bool:
        """Whether this author has at least one approved comment anywhere."""
        query = (
            sa.select(_C.id)
            .where(_C.author_key == author_key, _C.status == Status.APPROVED.value)
            .limit(1)
        )
        return self._read(lambda conn: conn.execute(query).first() is not None)

    # --- votes ---------------------------------------------------------------

    def _tally(self, conn: Connection, comment_id: int, old: int, new: int) -> None:
        """Move one vote on a comment from ``old`` to ``new`` in its counters."""
        up = int(new == 1) - int(old == 1)
        down = int(new == -1) - int(old == -1)
        if up or down:
            conn.execute(
                sa.update(comments)
                .where(_C.id == comment_id)
                .values(
                    upvotes=_C.upvotes + up,
                    downvotes=_C.downvotes + down,
                    neg_score=_C.neg_score + down - up,
                )
            )

    def vote(
        self,
        comment_id: int,
        voter_key: str,
        value: Literal[-1, 0, 1],
        *,
        ip: str = "",
        at: datetime | None = None,
        guards: Sequence[VoteGuard] = (),
    ) -> Comment:
        """Set ``voter_key``'s vote on a comment (0 withdraws it); one vote per voter.

        Returns the comment with updated ``upvotes`` / ``downvotes``. Raises
        ``NotFoundError`` for an unknown comment and ``ValidationError`` for a
        value other than -1, 0 or 1. A new vote is stored with ``ip`` and
        ``at``; ``guards`` are counted and enforced before a new vote, under a
        per-address lock, in the same transaction.
        """
        if value not in (-1, 0, 1) or isinstance(value, bool):
            raise ValidationError(
                "invalid_vote", f"A vote is -1, 0 or 1, not {value!r}.", field="value"
            )
        _chars(voter_key, "voter_key", AUTHOR_KEY_LENGTH)
        _chars(ip, "ip", IP_LENGTH)
        when = None if at is None else _aware(at, "at")
        if guards and when is None:
            raise ValueError("vote guards need the vote's time: pass at=")
        new = int(value)

        def work(conn: Connection) -> Comment:
            locked = conn.execute(
                self._for_update(sa.select(_C.id, _C.thread_id).where(_C.id == comment_id))
            ).first()
            if locked is None:
                raise self._no_comment(comment_id)
            where = sa.and_(votes.c.comment_id == comment_id, votes.c.voter_key == voter_key)
            old = conn.execute(sa.select(votes.c.value).where(where)).scalar() or 0
            if new and not old:
                if guards and when is not None:
                    _guards.check_vote_guards(conn, guards, comment_id, locked.thread_id, when)
                conn.execute(
                    sa.insert(votes).values(
                        comment_id=comment_id,
                        voter_key=voter_key,
                        value=new,
                        ctx_ip=ip,
                        created_at=when,
                    )
                )
            elif new and old != new:
                conn.execute(sa.update(votes).where(where).values(value=new))
            elif not new and old:
                conn.execute(sa.delete(votes).where(where))
            self._tally(conn, comment_id, old, new)
            comment = self._fetch_comment(conn, comment_id)
            assert comment is not None
            return comment

        return self._write(work)

    def votes_by(self, voter_key: str) -> dict[int, int]:
        """Every vote this voter cast, as ``{comment_id: +1 or -1}``."""
        query = sa.select(votes.c.comment_id, votes.c.value).where(votes.c.voter_key == voter_key)
        return self._read(lambda conn: {cid: int(v) for cid, v in conn.execute(query)})

    def erase_votes(self, voter_key: str) -> int:
        """Withdraw every vote this voter cast; return how many there were."""

        def work(conn: Connection) -> int:
            cast = conn.execute(
                sa.select(votes.c.comment_id, votes.c.value)
                .where(votes.c.voter_key == voter_key)
                .order_by(votes.c.comment_id)
            ).all()
            for comment_id, value in cast:
                self._tally(conn, comment_id, int(value), 0)
            conn.execute(sa.delete(votes).where(votes.c.voter_key == voter_key))
            return len(cast)

        return self._write(work)

    # --- notification outbox ------------------------------------------------

    def claim_outbox(
        self, *, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Take up to ``limit`` messages due at ``now`` for delivery, oldest due first.

        Claimed messages are hidden from other claimers for ``lease_seconds``
        (so a worker that dies lets them come back). Each claim adds one to
        ``attempts``. Parallel claimers never take the same message.
        """
        at = _aware(now, "now")
        if limit < 1:
            return []
        until = at + timedelta(seconds=lease_seconds)
        o = outbox.c

        def work(conn: Connection) -> list[OutboxMessage]:
            query = (
                sa.select(outbox)
                .where(
                    o.next_attempt_at <= at,
                    sa.or_(o.leased_until.is_(None), o.leased_until <= at),
                )
                .order_by(o.next_attempt_at, o.id)
                .limit(limit)
            )
            if self._locks:
                query = query.with_for_update(skip_locked=True)
            due = conn.execute(query).all()
            if not due:
                return []
            conn.execute(
                sa.update(outbox)
                .where(o.id.in_([row.id for row in due]))
                .values(attempts=o.attempts + 1, leased_until=until)
            )
            return [
                OutboxMessage(
                    id=row.id,
                    channel=row.channel,
                    kind=_KIND[row.kind],
                    comment_id=row.comment_id,
                    thread_key=row.thread_key,
                    created_at=row.created_at,
                    attempts=row.attempts + 1,
                    next_attempt_at=row.next_attempt_at,
                    last_error=row.last_error,
                )
                for row in due
            ]

        return self._write(work)

    def complete_outbox(self, message_id: int) -> None:
        """Forget a delivered message (an unknown id is ignored: delivery is at-least-once)."""
        self._write(lambda conn: conn.execute(sa.delete(outbox).where(outbox.c.id == message_id)))

    def retry_outbox(self, message_id: int, *, next_attempt_at: datetime, error: str) -> None:
        """Put a failed message back, due again at ``next_attempt_at`` (unknown ids ignored)."""
        due = _aware(next_attempt_at, "next_attempt_at")
        _text(error, "error", TEXT_BYTES)
        self._write(
            lambda conn: conn.execute(
                sa.update(outbox)
                .where(outbox.c.id == message_id)
                .values(next_attempt_at=due, last_error=error, leased_until=None)
            )
        )

    # --- whole threads -----------------------------------------------------------

    def iter_thread(self, thread_key: str, *, batch_size: int = 5000) -> Iterator[Comment]:
        """Yield every comment of a thread, any status, depth first in oldest order.

        For exports and backups: reads ``batch_size`` rows per query (keyset
        on the path, one short transaction each), so memory stays flat
        whatever the thread's size. An unknown thread yields nothing.
        """
        _check_limit(batch_size, "batch_size")
        thread_id = self._read(
            lambda conn: conn.execute(sa.select(_T.id).where(_T.key == thread_key)).scalar()
        )
        if thread_id is None:
            return
        after = ""

        def fetch(conn: Connection) -> list[_Row]:
            query = (
                sa.select(*_COLUMNS)
                .where(_C.thread_id == thread_id, _C.path > after)
                .order_by(_C.path)
                .limit(batch_size)
            )
            return list(conn.execute(query))

        while True:
            batch = self._read(fetch)
            yield from (_comment(row, thread_key) for row in self._preorder(batch))
            if len(batch) < batch_size:
                return
            after = batch[-1][_PATH]

    # --- bulk loading -----------------------------------------------------------

    def bulk_load(
        self, thread_key: str, rows: Iterable[LoadRow], *, batch_size: int = 5000
    ) -> dict[int, int]:
        """Import many comments into one thread in one transaction; return ``{old id: new id}``.

        ``rows`` come in creation order (a parent before its replies); their
        ``parent_id`` refers to another row of the same load. The thread is
        created if it does not exist (at the first row's time). Counters,
        reply counts, paths and depths are computed here, statuses and vote
        tallies are kept (no individual votes are created). A failure leaves
        nothing behind. Meant for imports and benchmarks: on MariaDB, run it
        while nobody posts (new ids are taken from ``MAX(id)``).
        """
        items = list(rows)
        if not items:
            return {}
        _chars(thread_key, "thread_key", KEY_LENGTH)
        for item in items:
            self._check_comment_text(
                item.author,
                item.body_source,
                item.body_html,
                getattr(item, "reasons", ()),
                getattr(item, "context", RequestContext()),
            )
        first_at = _aware(items[0].created_at, "created_at")
        self.ensure_thread(thread_key, now=first_at)
        cap = self.storage_depth_cap

        def work(conn: Connection) -> dict[int, int]:
            thread = conn.execute(
                self._for_update(sa.select(_T.id, _T.top_seq).where(_T.key == thread_key))
            ).one()
            new_ids = self._reserve_ids(conn, len(items))
            mapping: dict[int, int] = {}
            # per new id: [path, sdepth, sparent new id, child_seq, depth, root, top_ord]
            info: dict[int, list[Any]] = {}
            reply_counts: dict[int, int] = {}
            top_seq = thread.top_seq
            approved = top_approved = 0
            batch: list[dict[str, Any]] = []
            for item, new_id in zip(items, new_ids, strict=True):
                if item.parent_id is None:
                    top_seq += 1
                    path = _paths.segment(top_seq)
                    place = [path, 0, None, 0, 0, new_id, top_seq]
                    parent_new = None
                else:
                    if item.parent_id not in mapping:
                        raise InvalidParentError(
                            "invalid_parent",
                            f"Row {item.id} answers {item.parent_id}, which is not an earlier"
                            " row of this load.",
                            field="parent_id",
                        )
                    parent_new = mapping[item.parent_id]
                    parent = info[parent_new]
                    holder_id = parent_new if parent[1] < cap else parent[2]
                    holder = info[holder_id]
                    holder[3] += 1
                    path = holder[0] + _paths.segment(holder[3])
                    place = [path, holder[1] + 1, holder_id, 0, parent[4] + 1, parent[5], parent[6]]
                    if item.status.value in _SHOWN:
                        reply_counts[parent_new] = reply_counts.get(parent_new, 0) + 1
                mapping[item.id] = new_id
                info[new_id] = place
                if item.status is Status.APPROVED:
                    approved += 1
                    top_approved += item.parent_id is None
                edited = getattr(item, "edited_at", None)
                batch.append(
                    {
                        "id": new_id,
                        "thread_id": thread.id,
                        "parent_id": parent_new,
                        "root_id": place[5],
                        "sparent_id": place[2],
                        "depth": place[4],
                        "sdepth": place[1],
                        "top_ord": place[6],
                        "path": path,
                        "child_seq": 0,
                        **_author_values(item.author),
                        "body_source": item.body_source,
                        "body_html": item.body_html,
                        "body_hash": _body_hash(item.body_source),
                        "status": item.status.value,
                        "created_at": _aware(item.created_at, "created_at"),
                        "edited_at": None if edited is None else _aware(edited, "edited_at"),
                        "upvotes": item.upvotes,
                        "downvotes": item.downvotes,
                        "neg_score": item.downvotes - item.upvotes,
                        "reply_count": 0,
                        "reasons": _reasons_json(getattr(item, "reasons", ())),
                        **_context_values(getattr(item, "context", RequestContext())),
                        "notify_replies": bool(getattr(item, "notify_replies", False)),
                    }
                )
            for row in batch:
                row["reply_count"] = reply_counts.get(row["id"], 0)
                row["child_seq"] = info[row["id"]][3]
            for start in range(0, len(batch), batch_size):
                self._insert_many(conn, batch[start : start + batch_size])
            conn.execute(
                sa.update(threads)
                .where(_T.id == thread.id)
                .values(
                    top_seq=top_seq,
                    comment_count=_T.comment_count + approved,
                    top_level_count=_T.top_level_count + top_approved,
                )
            )
            return mapping

        return self._write(work)

    def _insert_many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Insert comment rows; on SQLite straight through the driver (3x faster)."""
        if self._dialect != "sqlite":
            conn.execute(sa.insert(comments), rows)
            return
        names = list(rows[0])
        kinds = {name: comments.c[name].type for name in names}
        stamps = [i for i, name in enumerate(names) if isinstance(kinds[name], UTCDateTime)]
        flags = [i for i, name in enumerate(names) if isinstance(kinds[name], sa.Boolean)]
        sql = (
            f"INSERT INTO {comments.name} ({', '.join(names)})"
            f" VALUES ({', '.join('?' * len(names))})"
        )
        values = []
        for row in rows:
            record = list(row.values())
            for i in stamps:
                if record[i] is not None:
                    # The text form SQLAlchemy's SQLite DateTime writes and reads.
                    naive = record[i].astimezone(UTC).replace(tzinfo=None)
                    record[i] = naive.isoformat(sep=" ", timespec="microseconds")
            for i in flags:
                record[i] = int(bool(record[i]))
            values.append(tuple(record))
        conn.exec_driver_sql(sql, values)

    def _reserve_ids(self, conn: Connection, count: int) -> list[int]:
        """Reserve ``count`` increasing comment ids for a bulk load."""
        if self._dialect == "postgresql":
            sequence = sa.text(
                "SELECT nextval(pg_get_serial_sequence('tk_comments', 'id'))"
                " FROM generate_series(1, :n)"
            )
            return sorted(int(value) for value in conn.execute(sequence, {"n": count}).scalars())
        if self._dialect == "sqlite":
            used = conn.execute(
                sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'tk_comments'")
            ).scalar()
        else:
            used = conn.execute(
                sa.select(_C.id).order_by(_C.id.desc()).limit(1).with_for_update()
            ).scalar()
        top = max(int(used or 0), int(conn.execute(sa.select(sa.func.max(_C.id))).scalar() or 0))
        return list(range(top + 1, top + 1 + count))
