"""The whole site in batches: every thread, every vote, and vote rows loaded back.

With :class:`~threadkit_sqlalchemy._bulk.BulkPart` (``iter_thread``,
``bulk_load``) this makes the store a :class:`threadkit.ports.SiteStore`,
what ``threadkit-export`` and ``threadkit-import threadkit`` need.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.errors import ValidationError
from threadkit.models import Comment, Thread
from threadkit.ports import StoredVote
from threadkit.storekit import aware, check_limit

from ._base import StoreBase
from ._checks import _chars
from ._rows import _C, _T, _comment, _thread
from ._schema import AUTHOR_KEY_LENGTH, IP_LENGTH, comments, threads, votes

__all__ = ["SitePart"]


def _fetch(conn: Connection, *, query: sa.Select[Any]) -> list[Any]:
    return list(conn.execute(query))


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
