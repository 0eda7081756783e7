"""Row mapping: the columns a comment query reads, and rows to and from models."""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from threadkit.models import (
    Comment,
    EventKind,
    Identity,
    RequestContext,
    Status,
    Thread,
    Visibility,
)
from threadkit.storekit import reasons_from_json

from . import _paths
from ._schema import comments, threads

_Row: TypeAlias = "Row[*tuple[Any, ...]]"

_C = comments.c
_T = threads.c
# Stored status values every reader sees (counted in reply_count), and the rest.
_SHOWN = tuple(sorted(status.value for status in Visibility.SEEN_BY_ALL))
_HIDDEN = tuple(sorted(status.value for status in Status if status not in Visibility.SEEN_BY_ALL))
_STATUS = {status.value: status for status in Status}
_KIND = {kind.value: kind for kind in EventKind}

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
# What a reader who is nobody (no identity, no moderator) never gets: the email,
# the Markdown source, reasons, request data, the reply subscription. A public
# page reads NULL in their places: less to fetch, decode and keep per row.
_PRIVATE = frozenset({7, 11, 19, 20, 21, 22, 23, 24})
_PUBLIC_COLUMNS = tuple(
    sa.null().label(f"private_{index}") if index in _PRIVATE else column
    for index, column in enumerate(_COLUMNS)
)
# The public columns without the NULL stand-ins, for a lean public page (built
# by _lean_comment()): each stand-in costs SQLite and the driver time per row,
# about a sixth of fetching a 500-row page. The storage columns come last.
_LEAN_COLUMNS = (
    *(column for index, column in enumerate(_COLUMNS[:25]) if index not in _PRIVATE),
    _C.path,
    _C.sdepth,
    _C.sparent_id,
)
_LEAN_PATH, _LEAN_SDEPTH, _LEAN_SPARENT = range(17, 20)
# Built once: a page adds its WHERE clauses to these (statements are immutable).
_SELECT_ROWS = sa.select(*_COLUMNS)
_SELECT_PUBLIC_ROWS = sa.select(*_PUBLIC_COLUMNS)
_SELECT_LEAN_ROWS = sa.select(*_LEAN_COLUMNS)
_SELECT_TOPS = sa.select(*_TOP_COLUMNS)
# The same columns serve a subtree's outline (ids and depths, in depth-first
# order: _preorder() needs the storage columns too), never built into comments.
_SELECT_TREE = _SELECT_TOPS
# A subtree batch's family (threadkit.ports.SubtreeFamily) when no row is stored at
# the depth cap (path order is then depth first): ids, depths, the storage depth
# that tells, parent ids. Each NULL stand-in of the wide rows costs SQLite and the
# driver time per row: 0.8 of 1.5 ms for a 500-row batch.
_SELECT_FAMILY = sa.select(_C.id, _C.depth, _C.sdepth, _C.parent_id)
_NO_CONTEXT = RequestContext()


_IDENTITIES: dict[tuple[Any, ...], Identity] = {}
_IDENTITIES_KEPT = 8192


def _identity(values: tuple[Any, ...]) -> Identity:
    """Build (or reuse: they are frozen) the author snapshot of a row's author columns.

    ``values`` is the row's slice ``provider .. verified``; a plain dict keyed
    by it costs a third of an ``lru_cache`` call with seven arguments (a page
    asks once per row). Emptied when full: a miss only builds the snapshot again.
    """
    found = _IDENTITIES.get(values)
    if found is None:
        if len(_IDENTITIES) >= _IDENTITIES_KEPT:
            _IDENTITIES.clear()
        provider, subject, name, email, url, avatar, verified = values
        found = Identity(provider, subject, name, email, url, avatar, bool(verified))
        _IDENTITIES[values] = found
    return found


@functools.lru_cache(maxsize=8192)
def _context(ip: str, user_agent: str, referrer: str, language: str) -> RequestContext:
    """Build (or reuse) the request context of a row."""
    return RequestContext(ip, user_agent, referrer, language)


def _utc(value: datetime | str) -> datetime:
    """Return a stored naive UTC timestamp (or SQLite's text of one) as aware UTC."""
    if isinstance(value, str):
        # Parsing the offset gives ``datetime.UTC`` itself, in a seventh of the
        # time of parsing then ``replace(tzinfo=...)`` (a keyword call).
        return datetime.fromisoformat(value + "+00:00")
    return value.replace(tzinfo=UTC)


def _comment(row: _Row | Sequence[Any], thread_key: str) -> Comment:
    """Build a :class:`Comment` from a row of :data:`_COLUMNS` (or :data:`_PUBLIC_COLUMNS`).

    The timestamps come back naive (stored as UTC); this attaches UTC. The
    private columns are never NULL in a stored row; NULL there means a public
    read left them out: the comment gets empty values (``""`` source, no
    email, reasons or request data, no subscription).
    """
    (
        comment_id,
        parent_id,
        root_id,
        depth,
        # the author columns, read as one slice by _identity()
        _provider,
        _subject,
        _name,
        _email,
        _url,
        _avatar,
        _verified,
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
        _identity(cast("tuple[Any, ...]", row[4:11])),  # a slice of a driver row is a tuple
        "" if body_source is None else body_source,
        body_html,
        _STATUS[status],
        _utc(created_at),
        None if edited_at is None else _utc(edited_at),
        upvotes,
        downvotes,
        reply_count,
        reasons_from_json(reasons) if reasons else (),
        _NO_CONTEXT if ip is None else _context(ip, user_agent, referrer, language),
        bool(notify),
    )


def _lean_comment(row: _Row | Sequence[Any], thread_key: str) -> Comment:
    """Build a :class:`Comment` from a row of :data:`_LEAN_COLUMNS`.

    The same comment :func:`_comment` builds from the row's
    :data:`_PUBLIC_COLUMNS`: no email, ``""`` source, no reasons, request
    data or subscription.
    """
    (
        comment_id,
        parent_id,
        root_id,
        depth,
        provider,
        subject,
        name,
        url,
        avatar,
        verified,
        body_html,
        status,
        created_at,
        edited_at,
        upvotes,
        downvotes,
        reply_count,
    ) = row[:17]
    return Comment(
        comment_id,
        thread_key,
        parent_id,
        comment_id if root_id is None else root_id,
        depth,
        _identity((provider, subject, name, None, url, avatar, verified)),
        "",
        body_html,
        _STATUS[status],
        _utc(created_at),
        None if edited_at is None else _utc(edited_at),
        upvotes,
        downvotes,
        reply_count,
        (),
        _NO_CONTEXT,
        False,
    )


def _raw_rows(
    conn: Connection, query: sa.Select[Any], params: dict[str, Any] | None = None
) -> list[_Row]:
    """Run ``query`` (with bind ``params``) and return the driver's own row tuples, unprocessed.

    For the page path's bulk reads of :data:`_COLUMNS`: skips SQLAlchemy's
    per-value result processing and Row objects. What the drivers return
    differs only in the timestamps (a string on SQLite, a naive datetime
    elsewhere) and booleans (0/1 on SQLite and MariaDB); :func:`_comment`
    handles both.
    """
    result = conn.execute(query, params)
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
        version=row.version,
    )


def _visible(visibility: Visibility, c: Any = _C, *, bound: bool = False) -> sa.ColumnElement[bool]:
    """Return SQL for "this reader may see the row" (see :meth:`Visibility.can_see`).

    ``c`` is the columns of ``comments`` or of an alias of it. ``bound``
    leaves the viewer's key as the bind parameter ``viewer_key`` (see
    :func:`_visibility_params`), so one statement serves every viewer.
    """
    allowed: list[sa.ColumnElement[bool]] = [c.status.in_(_SHOWN)]
    if visibility.viewer_key is not None:
        key: Any = sa.bindparam("viewer_key") if bound else visibility.viewer_key
        allowed.append(sa.and_(c.author_key == key, c.status.in_(_HIDDEN)))
    if visibility.moderator:
        allowed.append(c.status == Status.PENDING.value)
    return sa.or_(*allowed)


def _visibility_params(visibility: Visibility) -> dict[str, Any]:
    """Return the bind values of a ``bound`` :func:`_visible` clause."""
    return {} if visibility.viewer_key is None else {"viewer_key": visibility.viewer_key}


def _visibility_kind(visibility: Visibility) -> Visibility:
    """Return the visibility with its viewer key replaced by a stand-in (a cache key).

    Two visibilities of the same kind give the same ``bound`` SQL.
    """
    if visibility.viewer_key is None:
        return visibility
    return Visibility("viewer", visibility.moderator)


# Built once: an alias derives a proxy of every column (34), about 0.1 ms a page.
_BELOW = comments.alias("below")


def _listed_top(visibility: Visibility, *, bound: bool = False) -> sa.ColumnElement[bool]:
    """Return SQL for "a page lists this top-level row": the reader sees it or a descendant.

    A hidden top-level comment holds the place of the replies this reader
    may see (the engine shows it as a placeholder); the ``EXISTS`` is a
    range probe of the ``(thread_id, path)`` index, made only for hidden rows.
    """
    below = _BELOW
    seen_below = sa.exists().where(
        below.c.thread_id == _C.thread_id,
        below.c.path > _C.path,
        below.c.path < _C.path + _paths.END,
        _visible(visibility, below.c, bound=bound),
    )
    return sa.or_(_visible(visibility, bound=bound), seen_below)


def _body_hash(body_source: str) -> str:
    """Return the digest that indexes a body for duplicate checks (128 bits of SHA-256)."""
    return hashlib.sha256(body_source.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _snapshot(prefix: str, *names: str) -> Callable[[Any], dict[str, Any]]:
    """Make the function that maps a value object to its columns, ``<prefix><attribute>``."""
    columns = tuple(prefix + name for name in names)
    read = operator.attrgetter(*names)

    def values(value: Any) -> dict[str, Any]:
        return dict(zip(columns, read(value), strict=True))

    return values


_author_values = _snapshot(
    "author_", "provider", "subject", "key", "name", "email", "url", "avatar", "verified"
)
"""Column values of an author snapshot (:class:`Identity`)."""
_context_values = _snapshot("ctx_", "ip", "user_agent", "referrer", "language")
"""Column values of a request context (:class:`RequestContext`)."""
