"""Lists across threads: recent comments, the moderation queue, an author's comments."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.models import Comment, CommentRows, Status
from threadkit.storekit import check_limit, int_cursor

from ._base import StoreBase
from ._rows import _C, _T, _comment, _Row


class ListingPart(StoreBase):
    """The :class:`~threadkit.ports.CommentLists` methods."""

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
        check_limit(limit, "limit")
        before = None if cursor is None else int_cursor(cursor, "q", 1)[0]

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
