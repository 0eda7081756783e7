"""Writing comments: post, replay, edit, remove."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.errors import ConflictError, InvalidParentError
from threadkit.guards import IdempotencyKey
from threadkit.models import Comment, NewComment, Notice, Status
from threadkit.storekit import aware, reasons_json, stored_comment

from . import _guards, _paths
from ._base import StoreBase
from ._checks import _chars
from ._fast import Prepared
from ._outbox import queue_notices
from ._rows import _C, _SHOWN, _T, _author_values, _body_hash, _context_values, _Row
from ._schema import KEY_LENGTH, comments, threads, votes
from ._subscriptions import subscribe
from ._threads import add_to_thread, bump_version


def _locking(query: sa.Select[Any]) -> tuple[Prepared, Prepared]:
    """Return ``query`` as it is and ``FOR UPDATE``: index with ``StoreBase._locks``."""
    return Prepared(query), Prepared(query.with_for_update())


# Built once, executed with bound values: building a statement costs more than
# SQLite running it, and a post runs these on every call (issue 12). On SQLite
# they run on the driver's cursor (:mod:`._fast`).
_THREAD_FOR_POST = _locking(
    sa.select(_T.id, _T.top_seq, _T.closed).where(_T.key == sa.bindparam("b_key"))
)
_PARENT_PLACE = _locking(
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
    ).where(_C.id == sa.bindparam("b_id"))
)
_HOLDER_PLACE = _locking(
    sa.select(_C.id, _C.sdepth, _C.path, _C.child_seq).where(_C.id == sa.bindparam("b_id"))
)
_SET_CHILD_SEQ = Prepared(
    sa.update(comments).where(_C.id == sa.bindparam("b_id")).values(child_seq=sa.bindparam("b_seq"))
)
_INSERT_COMMENT = Prepared(sa.insert(comments))
_SET_OWN_ROOT = Prepared(
    sa.update(comments).where(_C.id == sa.bindparam("b_id")).values(root_id=sa.bindparam("b_id"))
)
_ONE_MORE_REPLY = Prepared(
    sa.update(comments).where(_C.id == sa.bindparam("b_id")).values(reply_count=_C.reply_count + 1)
)


class _Place(NamedTuple):
    """Where a new comment goes: its tree columns, and the thread's top-level sequence after it."""

    top_seq: int
    root_id: int | None
    depth: int
    top_ord: int
    path: str
    sdepth: int
    sparent_id: int | None


def _top_place(top_ord: int) -> _Place:
    """Place a new top-level comment, the thread's ``top_ord``-th."""
    return _Place(top_ord, None, 0, top_ord, _paths.segment(top_ord), 0, None)


class WritesPart(StoreBase):
    """The :class:`~threadkit.ports.CommentWriter` methods."""

    def add_comment(self, draft: NewComment, notices: Sequence[Notice] = ()) -> Comment:
        """Store a new comment and queue ``notices`` about it, in one transaction.

        The store assigns ``id``, ``root_id`` and ``depth`` from the parent,
        updates the counters, and raises ``InvalidParentError`` if the parent
        does not exist or lies in another thread, ``NotFoundError`` if the
        thread does not exist.
        """
        created_at = aware(draft.created_at, "created_at")
        reasons = self._check_comment_text(
            draft.author, draft.body_source, draft.body_html, draft.reasons, draft.context
        )
        for notice in notices:
            _chars(notice.channel, "channel", KEY_LENGTH)
        body_hash = _body_hash(draft.body_source)

        def work(conn: Connection) -> Comment:
            thread = _THREAD_FOR_POST[self._locks].first(conn, {"b_key": draft.thread_key})
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
                    conn, draft, thread.id, body_hash, created_at, closed=bool(thread.closed)
                )
            if draft.parent_id is None:
                place = _top_place(thread.top_seq + 1)
            else:
                place = self._reply_place(conn, draft, thread.id, thread.top_seq)
            comment_id = self._insert_comment(
                conn, draft, thread.id, place, created_at, body_hash, reasons
            )
            self._count_new(conn, draft, thread.id, place.top_seq, comment_id)
            queue_notices(conn, comment_id, draft.thread_key, notices, created_at)
            subscribe(conn, draft, comment_id)
            if draft.idempotency is not None:
                _guards.remember_key(conn, draft.idempotency, comment_id, created_at)
            root_id = comment_id if place.root_id is None else place.root_id
            return stored_comment(
                draft, comment_id, root_id=root_id, depth=place.depth, created_at=created_at
            )

        return self._write(work)

    def _reply_place(
        self, conn: Connection, draft: NewComment, thread_id: int, top_seq: int
    ) -> _Place:
        """Place a reply under its parent (or, at the depth cap, beside it), locking both."""
        parent = _PARENT_PLACE[self._locks].first(conn, {"b_id": draft.parent_id})
        if parent is None or parent.thread_id != thread_id:
            raise InvalidParentError(
                "invalid_parent",
                f"Comment {draft.parent_id} does not exist in thread"
                f" {draft.thread_key!r}; reply to a comment of the same thread.",
                field="parent_id",
            )
        holder = parent
        if parent.sdepth >= self.storage_depth_cap:
            holder = _HOLDER_PLACE[self._locks].first(conn, {"b_id": parent.sparent_id})
            assert holder is not None  # the parent's storage parent: a foreign key keeps it
        ordinal = holder.child_seq + 1
        _SET_CHILD_SEQ.run(conn, {"b_id": holder.id, "b_seq": ordinal})
        return _Place(
            top_seq=top_seq,
            root_id=parent.id if parent.root_id is None else parent.root_id,
            depth=parent.depth + 1,
            top_ord=parent.top_ord,
            path=holder.path + _paths.segment(ordinal),
            sdepth=holder.sdepth + 1,
            sparent_id=holder.id,
        )

    @staticmethod
    def _insert_comment(
        conn: Connection,
        draft: NewComment,
        thread_id: int,
        place: _Place,
        created_at: datetime,
        body_hash: str,
        reasons: str,
    ) -> int:
        """Insert the comment row at ``place``; return its new id.

        ``body_hash`` and ``reasons`` (JSON) are the draft's, computed once per post.
        """
        values = {
            "thread_id": thread_id,
            "parent_id": draft.parent_id,
            "root_id": place.root_id,
            "sparent_id": place.sparent_id,
            "depth": place.depth,
            "sdepth": place.sdepth,
            "top_ord": place.top_ord,
            "path": place.path,
            "child_seq": 0,
            **_author_values(draft.author),
            "body_source": draft.body_source,
            "body_html": draft.body_html,
            "body_hash": body_hash,
            "status": draft.status.value,
            "created_at": created_at,
            "edited_at": None,
            "upvotes": 0,
            "downvotes": 0,
            "neg_score": 0,
            "reply_count": 0,
            "reasons": reasons,
            **_context_values(draft.context),
            "notify_replies": draft.notify_replies,
        }
        return _INSERT_COMMENT.insert(conn, values)

    @staticmethod
    def _count_new(
        conn: Connection, draft: NewComment, thread_id: int, top_seq: int, comment_id: int
    ) -> None:
        """Move the thread's and the parent's counters for a new comment."""
        approved = int(draft.status is Status.APPROVED)
        top_approved = approved if draft.parent_id is None else 0
        add_to_thread(conn, thread_id, top_seq, approved, top_approved)
        if draft.parent_id is None:
            _SET_OWN_ROOT.run(conn, {"b_id": comment_id})
        elif draft.status.value in _SHOWN:
            _ONE_MORE_REPLY.run(conn, {"b_id": draft.parent_id})

    def find_idempotent(self, key: IdempotencyKey, *, now: datetime) -> Comment | None:
        """Return the comment a live (unexpired at ``now``) ``key`` made, or ``None``.

        Raises ``key.reused()`` if the key was stored with another
        ``fingerprint``, and ``key.gone()`` if its comment has been removed.
        """
        at = aware(now, "now")
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
        at = aware(now, "now")
        edited_at = None if comment.edited_at is None else aware(comment.edited_at, "edited_at")
        self._check_comment_text(
            comment.author, comment.body_source, comment.body_html, comment.reasons, comment.context
        )
        for notice in notices:
            _chars(notice.channel, "channel", KEY_LENGTH)

        def work(conn: Connection) -> Comment:
            row = self._lock_comment(conn, comment.id)
            bump_version(conn, row.thread_id)
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
                    reasons=reasons_json(comment.reasons),
                    **_context_values(comment.context),
                    notify_replies=comment.notify_replies,
                )
            )
            if row.status != comment.status.value:
                self._recount(conn, row, row.status, comment.status.value)
            queue_notices(conn, comment.id, row.key, notices, at)
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
            bump_version(conn, row.thread_id)

        self._write(work)

    def child_count(self, comment_id: int) -> int:
        """How many direct replies ``comment_id`` has, in any status."""
        query = sa.select(sa.func.count()).select_from(comments).where(_C.parent_id == comment_id)
        return self._read(lambda conn: int(conn.execute(query).scalar_one()))
