"""Thread subscriptions: written with the comment that asks, read by the thread notifier."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.models import NewComment, Subscription
from threadkit.subscriptions import email_key, first_per_email, subscription_for

from ._base import StoreBase
from ._checks import _chars
from ._schema import EMAIL_LENGTH, subscriptions

_S = subscriptions.c
_COLUMNS = (_S.thread_key, _S.email, _S.author_key, _S.created_at, _S.name, _S.language, _S.id)
_ALREADY = sa.select(_S.id).where(
    _S.thread_key == sa.bindparam("b_thread"), _S.email == sa.bindparam("b_email")
)


def _subscription(row: Any) -> Subscription:
    return Subscription(
        row.thread_key, row.email, row.author_key, row.created_at, row.name, row.language,
        int(row.id),
    )  # fmt: skip


def subscribe(conn: Connection, draft: NewComment) -> None:
    """Store the subscription ``draft`` makes, in the caller's (the comment's) transaction."""
    wanted = subscription_for(draft)
    if wanted is None:
        return
    _chars(wanted.email, "email", EMAIL_LENGTH)
    if conn.execute(_ALREADY, {"b_thread": wanted.thread_key, "b_email": wanted.email}).first():
        return
    values = {
        "thread_key": wanted.thread_key,
        "email": wanted.email,
        "author_key": wanted.author_key,
        "name": wanted.name,
        "language": wanted.language,
        "created_at": wanted.created_at,
    }
    conn.execute(sa.insert(subscriptions).values(**values))


def _whose(author_key: str | None, email: str | None) -> sa.ColumnElement[bool]:
    if author_key is not None:
        return _S.author_key == author_key
    return _S.email == email_key(email or "")


class SubscriptionsPart(StoreBase):
    """The :class:`~threadkit.subscriptions.SubscriptionStore` methods."""

    def thread_subscriptions(self, thread_key: str) -> list[Subscription]:
        """Every address subscribed to ``thread_key``, once each, oldest first."""
        query = sa.select(*_COLUMNS).where(_S.thread_key == thread_key).order_by(_S.id)
        rows = self._read(lambda conn: conn.execute(query).all())
        return first_per_email(_subscription(row) for row in rows)

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        """Return the subscription with this id, or ``None``."""
        query = sa.select(*_COLUMNS).where(_S.id == subscription_id)
        row = self._read(lambda conn: conn.execute(query).first())
        return None if row is None else _subscription(row)

    def remove_subscription(self, subscription_id: int) -> Subscription | None:
        """End this subscription's address's subscription to its thread (idempotent)."""

        def work(conn: Connection) -> Subscription | None:
            row = conn.execute(sa.select(*_COLUMNS).where(_S.id == subscription_id)).first()
            if row is None:
                return None
            found = _subscription(row)
            # Every row of this address on this thread: a race may have written two.
            same = (_S.thread_key == found.thread_key) & (_S.email == found.email)
            conn.execute(sa.delete(subscriptions).where(same))
            return found

        return self._write(work)

    def subscriptions_of(
        self, *, author_key: str | None = None, email: str | None = None
    ) -> list[Subscription]:
        """Every subscription made by ``author_key`` or with ``email``, oldest first."""
        query = sa.select(*_COLUMNS).where(_whose(author_key, email)).order_by(_S.id)
        rows = self._read(lambda conn: conn.execute(query).all())
        return [_subscription(row) for row in rows]

    def erase_subscriptions(
        self, *, author_key: str | None = None, email: str | None = None
    ) -> int:
        """Delete every subscription made by ``author_key`` or with ``email``; how many."""
        statement = sa.delete(subscriptions).where(_whose(author_key, email))
        return int(self._write(lambda conn: conn.execute(statement).rowcount))
