"""Write guards and idempotency keys, checked inside the store's write transactions.

Every function here runs on the connection of a transaction that is about to
write (see :mod:`threadkit.guards` for what each guard means). What makes the
checks hold when requests race is the lock taken before each check:

* ``OpenThread``: the caller read the thread's ``closed`` flag with its row
  ``FOR UPDATE``; closing the thread updates that row, so it waits or is seen.
* ``NoDuplicate``: the caller already holds the thread's row ``FOR UPDATE``
  (every comment added to that thread waits for it).
* ``MinInterval`` and ``VoteQuota``: a row of ``tk_guard_locks`` named by the
  SHA-256 of the guard's ``lock_name`` (``ip:…``, ``author:…``, ``vote:…``),
  created if missing and locked by one upsert (``ON CONFLICT DO UPDATE`` /
  ``ON DUPLICATE KEY UPDATE`` lock the row they insert or find). Locks are
  taken in sorted order, so two writers never wait for each other in a circle.
* Idempotency keys: the ``tk_idempotency`` primary key; a parallel insert of
  the same key fails, the store's retry loop runs the write again and then
  finds the key.

On SQLite a write transaction starts with ``BEGIN IMMEDIATE``: writers run one
at a time, so the checks need no row lock there.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Connection

from threadkit.guards import (
    CommentGuard,
    IdempotencyKey,
    MinInterval,
    NoDuplicate,
    OpenThread,
    VoteGuard,
)
from threadkit.models import Comment, NewComment

from ._fast import Prepared, utc
from ._schema import comments, guard_locks, idempotency, votes

__all__ = ["check_comment_guards", "check_vote_guards", "lock", "remember_key", "replay"]

_C = comments.c
_V = votes.c
_K = idempotency.c
_LOCKING = ("postgresql", "mysql", "mariadb")


# Built once and executed with bound values (issue 12: a post runs them every time).
_SAME_BODY = Prepared(
    sa.select(_C.thread_id, _C.body_source).where(
        _C.author_key == sa.bindparam("b_author"), _C.body_hash == sa.bindparam("b_hash")
    )
)
_SCOPE_COLUMN = {"ip": _C.ctx_ip, "author": _C.author_key}
_KEY_ROW = sa.select(_K.fingerprint, _K.comment_id, _K.expires_at).where(
    _K.digest == sa.bindparam("b_digest")
)
_DROP_KEY = sa.delete(idempotency).where(_K.digest == sa.bindparam("b_digest"))
_DROP_EXPIRED_KEYS = sa.delete(idempotency).where(
    _K.scope == sa.bindparam("b_scope"), _K.expires_at <= sa.bindparam("b_now")
)
_INSERT_KEY = sa.insert(idempotency)


@functools.cache
def _take_locks(dialect: str, count: int) -> sa.Insert:
    """One statement that creates the ``count`` lock rows ``b_0``... if missing and locks them all.

    An upsert locks the row it inserts or finds, in the order of its VALUES:
    one round trip, where a lookup, an insert and a ``FOR UPDATE`` per row
    took up to six for a first-time poster's two locks (issue 12).
    """
    rows: list[dict[str, Any]] = [{"name": sa.bindparam(f"b_{n}")} for n in range(count)]
    if dialect == "postgresql":
        upsert = postgresql.insert(guard_locks).values(rows)
        return upsert.on_conflict_do_update(
            index_elements=[guard_locks.c.name], set_={"name": upsert.excluded.name}
        )
    found = mysql.insert(guard_locks).values(rows)
    return found.on_duplicate_key_update(name=found.inserted.name)


@functools.cache
def _latest_of(scopes: tuple[str, ...]) -> Prepared:
    """One statement: the newest ``created_at`` per scope (``ip`` / ``author``), bound ``b_<n>``."""
    return Prepared(
        sa.select(
            *(
                sa.select(sa.func.max(_C.created_at))
                .where(_SCOPE_COLUMN[scope] == sa.bindparam(f"b_{n}"))
                .scalar_subquery()
                for n, scope in enumerate(scopes)
            )
        )
    )


def lock(conn: Connection, names: Iterable[str]) -> None:
    """Hold the guard locks ``names`` until the transaction ends."""
    dialect = conn.dialect.name
    if dialect not in _LOCKING:
        return  # SQLite: BEGIN IMMEDIATE already made this the only writer.
    digests = sorted(
        {hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest() for name in names}
    )
    if not digests:
        return
    take = _take_locks("postgresql" if dialect == "postgresql" else "mysql", len(digests))
    conn.execute(take, {f"b_{n}": digest for n, digest in enumerate(digests)})


def check_comment_guards(
    conn: Connection,
    draft: NewComment,
    thread_id: int,
    body_hash: str,
    now: datetime,
    *,
    closed: bool,
) -> None:
    """Raise the error of the first guard of ``draft`` that trips (the thread is locked).

    ``closed`` is the thread's flag, read under that lock.
    """
    guards: Sequence[CommentGuard] = draft.guards
    intervals = [g for g in guards if isinstance(g, MinInterval)]
    if conn.dialect.name in _LOCKING:
        lock(conn, [g.lock_name for g in intervals])  # SQLite takes no guard locks
    # Every interval's newest comment in one statement, read before any guard is judged;
    # matched to its guard by position (hashing each guard cost more than the lookup).
    latest: Sequence[datetime | str | None] = ()
    if intervals:
        statement = _latest_of(tuple([g.scope for g in intervals]))
        latest = statement.first(conn, {f"b_{n}": g.value for n, g in enumerate(intervals)})
    position = 0
    for guard in guards:
        if isinstance(guard, OpenThread):
            if closed:
                raise guard.error()
        elif isinstance(guard, NoDuplicate):
            # Filter by thread in Python, as has_duplicate does: with thread_id in the
            # WHERE clause SQLite may walk the thread's index (every comment of a big
            # thread) instead of the (author_key, body_hash) one.
            rows = _SAME_BODY.rows(conn, {"b_author": draft.author.key, "b_hash": body_hash})
            if any(tid == thread_id and body == draft.body_source for tid, body in rows):
                raise guard.error()
        elif isinstance(guard, MinInterval):
            found = latest[position]
            position += 1
            error = guard.error(None if found is None else utc(found), now)
            if error is not None:
                raise error


def replay(
    conn: Connection,
    key: IdempotencyKey,
    now: datetime,
    fetch: Callable[[Connection, int], Comment | None],
    *,
    write: bool,
) -> Comment | None:
    """Return the comment a live ``key`` made, or ``None``; refuse a reused or spent key.

    With ``write``, an expired row of this key is deleted so the key can be used again.
    """
    row = conn.execute(_KEY_ROW, {"b_digest": key.digest}).first()
    if row is None:
        return None
    if utc(row.expires_at) <= now:
        if write:
            conn.execute(_DROP_KEY, {"b_digest": key.digest})
        return None
    if row.fingerprint != key.fingerprint:
        raise key.reused()
    comment = fetch(conn, int(row.comment_id))
    if comment is None:
        raise key.gone()
    return comment


def remember_key(conn: Connection, key: IdempotencyKey, comment_id: int, now: datetime) -> None:
    """Store ``key`` for ``comment_id``, dropping this author's expired keys first."""
    conn.execute(_DROP_EXPIRED_KEYS, {"b_scope": key.scope, "b_now": now})
    conn.execute(
        _INSERT_KEY,
        {
            "digest": key.digest,
            "scope": key.scope,
            "fingerprint": key.fingerprint,
            "comment_id": comment_id,
            "expires_at": key.expires_at,
        },
    )


def check_vote_guards(
    conn: Connection,
    guards: Sequence[VoteGuard],
    comment_id: int,
    thread_id: int,
    at: datetime,
) -> None:
    """Raise the error of the first vote guard that trips, holding each guard's lock."""
    lock(conn, [guard.lock_name for guard in guards])
    for guard in guards:
        where = [_V.ctx_ip == guard.ip, _V.created_at > guard.since(at)]
        query = sa.select(_V.created_at)
        if guard.scope == "comment":
            query = query.where(_V.comment_id == comment_id, *where)
        else:
            query = query.join(comments, _C.id == _V.comment_id).where(
                _C.thread_id == thread_id, *where
            )
        cast = [utc(value) for value in conn.execute(query).scalars()]
        error = guard.error(cast, at)
        if error is not None:
            raise error
