"""The notification outbox: queued with the write, claimed under a lease."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.models import Notice, OutboxMessage
from threadkit.storekit import aware

from ._base import StoreBase
from ._checks import _text
from ._rows import _KIND
from ._schema import TEXT_BYTES, outbox


def queue_notices(
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


class OutboxPart(StoreBase):
    """The :class:`~threadkit.ports.OutboxStore` methods."""

    def claim_outbox(
        self, *, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Take up to ``limit`` messages due at ``now`` for delivery, oldest due first.

        Claimed messages are hidden from other claimers for ``lease_seconds``
        (so a worker that dies lets them come back). Each claim adds one to
        ``attempts``. Parallel claimers never take the same message.
        """
        at = aware(now, "now")
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
        due = aware(next_attempt_at, "next_attempt_at")
        _text(error, "error", TEXT_BYTES)
        self._write(
            lambda conn: conn.execute(
                sa.update(outbox)
                .where(outbox.c.id == message_id)
                .values(next_attempt_at=due, last_error=error, leased_until=None)
            )
        )
