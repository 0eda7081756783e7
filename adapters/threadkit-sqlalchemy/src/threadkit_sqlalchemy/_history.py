"""History the moderation steps ask about: last post, duplicates, verified names."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.models import Status

from ._base import StoreBase
from ._fast import Prepared, utc
from ._rows import _C, _T, _body_hash
from ._schema import comments, threads

# Built once: flood control and duplicate detection ask before every post (issue 12).
_LATEST_BY_IP = Prepared(
    sa.select(sa.func.max(_C.created_at)).where(_C.ctx_ip == sa.bindparam("b_value"))
)
_LATEST_BY_AUTHOR = Prepared(
    sa.select(sa.func.max(_C.created_at)).where(_C.author_key == sa.bindparam("b_value"))
)
_SAME_BODY = Prepared(
    sa.select(_T.key, _C.body_source)
    .join_from(comments, threads, _C.thread_id == _T.id)
    .where(_C.author_key == sa.bindparam("b_author"), _C.body_hash == sa.bindparam("b_hash"))
)


class HistoryPart(StoreBase):
    """The :class:`~threadkit.ports.ModerationHistory` methods."""

    def latest_comment_at(
        self, *, ip: str | None = None, author_key: str | None = None
    ) -> datetime | None:
        """When the newest comment from this IP or author was written (any status).

        With both given, a comment matching either counts; with neither, ``None``.
        """
        if ip is None or author_key is None:
            # One of them (flood control asks one at a time): one statement, no lists.
            if ip is None and author_key is None:
                return None
            query, value = (_LATEST_BY_AUTHOR, author_key) if ip is None else (_LATEST_BY_IP, ip)

            def one(conn: Connection) -> datetime | None:
                found = query.first(conn, {"b_value": value})[0]
                # MAX() comes back untyped on some backends; normalise to aware UTC.
                return None if found is None else utc(found)

            return self._read(one)
        queries = [(_LATEST_BY_IP, ip), (_LATEST_BY_AUTHOR, author_key)]

        def work(conn: Connection) -> datetime | None:
            found = [query.first(conn, {"b_value": value})[0] for query, value in queries]
            moments = [utc(value) for value in found if value is not None]
            return max(moments, default=None)

        return self._read(work)

    def has_duplicate(self, thread_key: str, author_key: str, body_source: str) -> bool:
        """Whether this author already wrote exactly this body in this thread (any status).

        Looks up the ``(author_key, body_hash)`` index only, so the cost is the
        author's identical bodies, never the thread's or the author's size.
        """
        bound = {"b_author": author_key, "b_hash": _body_hash(body_source)}

        def work(conn: Connection) -> bool:
            rows = _SAME_BODY.rows(conn, bound)
            return any(key == thread_key and body == body_source for key, body in rows)

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
