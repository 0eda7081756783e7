"""The whole site in batches: every thread, every vote, and vote rows loaded back.

With :class:`~threadkit_sqlalchemy._bulk.BulkPart` (``iter_thread``,
``bulk_load``) this makes the store a :class:`threadkit.ports.SiteStore`,
what ``threadkit-export`` and ``threadkit-import threadkit`` need. Also the
whole public thread, lean (``iter_public_comments``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from msgspec import UNSET
from sqlalchemy.engine import Connection

from threadkit.errors import ValidationError
from threadkit.models import Comment, Status, Thread
from threadkit.ports import StoredVote
from threadkit.serialization import shapes
from threadkit.storekit import aware, check_limit

from ._base import StoreBase
from ._checks import _chars
from ._rows import _C, _PATH, _SELECT_PUBLIC_ROWS, _SHOWN, _T, _comment, _raw_rows, _thread, _utc
from ._schema import AUTHOR_KEY_LENGTH, IP_LENGTH, comments, threads, votes

__all__ = ["SitePart"]


def _fetch(conn: Connection, *, query: sa.Select[Any]) -> list[Any]:
    return list(conn.execute(query))


_THREAD_ID = sa.select(_T.id).where(_T.key == sa.bindparam("thread_key"))
# What a reader who is nobody sees of a thread (approved comments and placeholders),
# public columns only, the next batch after a path: built once, values bound.
_PUBLIC_BATCH = (
    _SELECT_PUBLIC_ROWS.where(
        _C.thread_id == sa.bindparam("thread_id"),
        _C.path > sa.bindparam("after", type_=_C.path.type),
        _C.status.in_(_SHOWN),
    )
    .order_by(_C.path)
    .limit(sa.bindparam("limit", type_=sa.BigInteger))
)
_APPROVED = Status.APPROVED.value
_STATUS = {status.value: status for status in Status}


def _public_shapes(rows: Sequence[Any], thread_key: str) -> list[shapes.Comment]:
    """Build the public ``Comment`` shapes of rows of :data:`_PUBLIC_BATCH`, source left out.

    The shape ``shape_of(comment, source=False)`` gives the same comment read
    whole (a test compares them byte for byte), without a ``Comment`` object per
    row: positional values in the shape's field order (msgspec builds a Struct
    from positional values about twice as fast as from keywords).
    """
    shape = shapes.Comment
    authors: dict[tuple[Any, ...], shapes.Author] = {}
    deleted = Status.DELETED
    found: list[shapes.Comment] = []
    append = found.append
    for row in rows:
        (cid, parent, root, depth, provider, _, name, _, url, avatar, verified, _, html) = row[:13]
        status, created, edited, up, down, replies = row[13:19]
        root = cid if root is None else root
        if status != _APPROVED:  # the public rows are approved or deleted
            # A placeholder keeps its place and nothing of its author or text.
            append(
                shape(
                    cid,
                    thread_key,
                    parent,
                    root,
                    depth,
                    deleted,
                    None,
                    "",
                    "",
                    _utc(created),
                    UNSET,
                    UNSET,
                    UNSET,
                    UNSET,
                    replies,
                )
            )
            continue
        key = (provider, name, url, avatar, verified)
        author = authors.get(key)
        if author is None:
            author = authors[key] = shapes.Author(provider, name, url, avatar, bool(verified))
        append(
            shape(
                cid,
                thread_key,
                parent,
                root,
                depth,
                _STATUS[status],
                author,
                html,
                UNSET,
                _utc(created),
                None if edited is None else _utc(edited),
                up,
                down,
                up - down,
                replies,
            )
        )
    return found


class SitePart(StoreBase):
    """The ``iter_threads``, ``iter_votes`` and ``load_votes`` of a ``SiteStore``."""

    def iter_threads(self, *, batch_size: int = 1000) -> Iterator[Thread]:
        """Yield every thread in creation (row id) order, ``batch_size`` rows per query."""
        check_limit(batch_size, "batch_size")
        after = 0
        while True:
            query = sa.select(threads).where(_T.id > after).order_by(_T.id).limit(batch_size)
            batch = self._read(functools.partial(_fetch, query=query))
            yield from (_thread(row) for row in batch)
            if len(batch) < batch_size:
                return
            after = batch[-1].id

    def iter_public_comments(
        self, thread_key: str, *, batch_size: int = 5000
    ) -> Iterator[list[shapes.Comment]]:
        """Yield a whole thread as a reader who is nobody sees it, in batches of public shapes.

        Approved comments and deleted placeholders (a pending or spam comment
        is left out; its replies keep their ``parent_id``), depth first,
        siblings oldest first, as ``iter_thread`` orders them. Each comment is
        what ``shape_of(comment, source=False)`` gives (no Markdown source),
        built straight from the public columns without a ``Comment`` object.
        ``batch_size`` rows per query (keyset on the path, one short
        transaction each), so memory stays flat; an unknown thread yields
        nothing. ``encode_comment_stream`` turns the batches into JSON bytes::

            for chunk in encode_comment_stream(store.iter_public_comments("post-1")):
                response.write(chunk)
        """
        check_limit(batch_size, "batch_size")
        thread_id = self._read(
            lambda conn: conn.execute(_THREAD_ID, {"thread_key": thread_key}).scalar()
        )
        if thread_id is None:
            return
        params: dict[str, Any] = {"thread_id": thread_id, "after": "", "limit": batch_size}

        def fetch(conn: Connection) -> list[Any]:
            return _raw_rows(conn, _PUBLIC_BATCH, params)

        while True:
            batch = self._read(fetch)
            if batch:
                yield _public_shapes(self._preorder(batch), thread_key)
            if len(batch) < batch_size:
                return
            params["after"] = batch[-1][_PATH]

    def iter_votes(self, thread_key: str, *, batch_size: int = 5000) -> Iterator[StoredVote]:
        """Yield every standing vote on one thread's comments, by comment id then voter."""
        check_limit(batch_size, "batch_size")
        key_columns = (votes.c.comment_id, votes.c.voter_key)
        after: tuple[int, str] = (0, "")
        while True:
            query = (
                sa.select(*key_columns, votes.c.value, votes.c.ctx_ip, votes.c.created_at)
                .join(comments, _C.id == votes.c.comment_id)
                .join(threads, _T.id == _C.thread_id)
                .where(_T.key == thread_key, sa.tuple_(*key_columns) > sa.tuple_(*after))
                .order_by(*key_columns)
                .limit(batch_size)
            )
            batch = self._read(functools.partial(_fetch, query=query))
            for comment_id, voter, value, ip, at in batch:
                yield StoredVote(int(comment_id), voter, int(value), ip, at)
            if len(batch) < batch_size:
                return
            after = (int(batch[-1][0]), batch[-1][1])

    def load_votes(self, rows: Iterable[StoredVote], *, batch_size: int = 5000) -> int:
        """Insert vote rows as they are (tallies unchanged), ``batch_size`` per transaction."""
        check_limit(batch_size, "batch_size")
        count = 0
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            chunk = list(batch)
            self._write(lambda conn: conn.execute(sa.insert(votes), chunk))
            batch.clear()

        for vote in rows:
            if vote.value not in (-1, 1):
                raise ValidationError(
                    "invalid_vote", f"A stored vote is -1 or 1, not {vote.value!r}.", field="value"
                )
            _chars(vote.voter_key, "voter_key", AUTHOR_KEY_LENGTH)
            _chars(vote.ip, "ip", IP_LENGTH)
            batch.append(
                {
                    "comment_id": vote.comment_id,
                    "voter_key": vote.voter_key,
                    "value": vote.value,
                    "ctx_ip": vote.ip,
                    "created_at": None if vote.at is None else aware(vote.at, "at"),
                }
            )
            count += 1
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return count

    def comments_by_email(self, email: str) -> list[Comment]:
        """Every comment whose author email is ``email`` (ignoring case), oldest first.

        A scan of the comments table (no index on email: it is asked about
        only for personal-data requests).
        """
        wanted = email.strip().lower()
        query = (
            self._select_comments().where(sa.func.lower(_C.author_email) == wanted).order_by(_C.id)
        )
        return self._read(lambda conn: [_comment(row, row[-1]) for row in conn.execute(query)])
