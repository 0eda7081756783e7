"""Threads: create, read, open or close, and count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.models import Thread
from threadkit.storekit import aware

from ._base import StoreBase
from ._checks import _chars, _text
from ._fast import Prepared, utc
from ._rows import _T, _thread
from ._schema import KEY_LENGTH, TEXT_BYTES, threads

# Built once: every post runs these (issue 12's lean write path).
_COUNT_NEW = Prepared(
    sa.update(threads)
    .where(_T.id == sa.bindparam("b_id"))
    .values(
        top_seq=sa.bindparam("b_top_seq", type_=sa.BigInteger()),
        comment_count=_T.comment_count + sa.bindparam("b_approved", type_=sa.Integer()),
        top_level_count=_T.top_level_count + sa.bindparam("b_top", type_=sa.Integer()),
        version=_T.version + 1,
    )
)
_BUMP_VERSION = (
    sa.update(threads).where(_T.id == sa.bindparam("b_id")).values(version=_T.version + 1)
)
_THREAD_BY_KEY = Prepared(sa.select(threads).where(_T.key == sa.bindparam("b_key")))
_VERSION_BY_KEY = sa.select(_T.version).where(_T.key == sa.bindparam("b_key"))


def add_to_thread(
    conn: Connection, thread_id: int, top_seq: int, approved: int, top_approved: int
) -> None:
    """Count new comments in their thread: ``approved`` of them, ``top_approved`` top-level.

    Raises the thread's version too: its pages changed.
    """
    _COUNT_NEW.run(
        conn,
        {"b_id": thread_id, "b_top_seq": top_seq, "b_approved": approved, "b_top": top_approved},
    )


def bump_version(conn: Connection, thread_id: int) -> None:
    """Raise a thread's version in the caller's transaction: a page of it changed.

    Caches of encoded pages are keyed by the version (:mod:`threadkit.cache`),
    so every write that changes what a page shows calls this before it commits.
    """
    conn.execute(_BUMP_VERSION, {"b_id": thread_id})


class ThreadsPart(StoreBase):
    """The :class:`~threadkit.ports.ThreadStore` methods."""

    def ensure_thread(self, key: str, *, title: str = "", url: str = "", now: datetime) -> Thread:
        """Return the thread ``key``, creating it (open, no comments) if it is new.

        An existing thread keeps its title and url unless it had none.
        """
        created_at = aware(now, "now")
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
            conn.execute(
                sa.update(threads).where(_T.id == row.id).values(**changes, version=_T.version + 1)
            )
            return Thread(
                key,
                thread.created_at,
                changes.get("title", thread.title),
                changes.get("url", thread.url),
                thread.closed,
                thread.comment_count,
                thread.top_level_count,
                thread.version + 1,
            )

        return self._write(work)

    def get_thread(self, key: str) -> Thread | None:
        """Return the thread ``key``, or ``None``."""

        def work(conn: Connection) -> Thread | None:
            row = _THREAD_BY_KEY.first(conn, {"b_key": key})
            # SQLite's driver gives the timestamp as text on the fast path (._fast).
            return None if row is None else _thread(row._replace(created_at=utc(row.created_at)))

        return self._read_one(work)

    def thread_version(self, key: str) -> int | None:
        """Return the thread's ``version`` alone (:class:`threadkit.cache.ThreadVersions`).

        ``None`` if there is no such thread. Page caches ask on every request:
        one indexed column, no row mapping.
        """

        def work(conn: Connection) -> int | None:
            value = conn.execute(_VERSION_BY_KEY, {"b_key": key}).scalar()
            return None if value is None else int(value)

        return self._read_one(work)

    def set_thread_closed(self, key: str, closed: bool) -> Thread:
        """Open or close a thread; raise ``NotFoundError`` if it does not exist."""

        def work(conn: Connection) -> Thread:
            result = conn.execute(
                sa.update(threads)
                .where(_T.key == key)
                .values(closed=closed, version=_T.version + 1)
            )
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
