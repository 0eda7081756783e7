"""Thread subscriptions: written with the comment that asks, read by the thread notifier."""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection

from threadkit.models import NewComment, Subscription
from threadkit.subscriptions import email_key, renewal, subscription_for

from ._base import StoreBase
from ._checks import _chars
from ._schema import EMAIL_LENGTH, subscriptions

_S = subscriptions.c
_COLUMNS = (
    _S.thread_key, _S.email, _S.author_key, _S.created_at, _S.name, _S.language, _S.id,
    _S.comment_id, _S.confirmed,
)  # fmt: skip
_SAME = sa.select(*_COLUMNS).where(
    _S.thread_key == sa.bindparam("b_thread"), _S.email == sa.bindparam("b_email")
)


def _subscription(row: Any) -> Subscription:
    return Subscription(
        row.thread_key, row.email, row.author_key, row.created_at, row.name, row.language,
        int(row.id), int(row.comment_id), bool(row.confirmed),
    )  # fmt: skip


def _insert_unless_there(conn: Connection, values: dict[str, Any]) -> None:
    """Insert a row, or nothing when the (thread, address) unique constraint has one.

    The constraint decides, not a read first: of two simultaneous posts one
    inserts, the other waits for it and inserts nothing, and neither fails.
    """
    name = conn.dialect.name
    if name in ("sqlite", "postgresql"):
        dialect = sqlite if name == "sqlite" else postgresql
        conn.execute(dialect.insert(subscriptions).values(**values).on_conflict_do_nothing())
    elif name in ("mysql", "mariadb"):
        # No INSERT IGNORE: it would also turn data errors into warnings.
        statement = mysql.insert(subscriptions).values(**values)
        conn.execute(statement.on_duplicate_key_update(id=_S.id))
    else:
        with conn.begin_nested() as savepoint:
            try:
                conn.execute(sa.insert(subscriptions).values(**values))
            except sa.exc.IntegrityError:
                savepoint.rollback()


def subscribe(conn: Connection, draft: NewComment, comment_id: int) -> None:
    """Store the subscription ``draft`` makes, in the caller's (the comment's) transaction."""
    wanted = subscription_for(draft, comment_id)
    if wanted is None:
        return
    _chars(wanted.email, "email", EMAIL_LENGTH)
    values = attrs.asdict(wanted)
    del values["id"]
    _insert_unless_there(conn, values)
    row = conn.execute(_SAME, {"b_thread": wanted.thread_key, "b_email": wanted.email}).one()
    stored = _subscription(row)
    renewed = None if stored.comment_id == comment_id else renewal(stored, wanted)
    if renewed is not None:
        changed = attrs.asdict(renewed)
        del changed["id"]
        conn.execute(sa.update(subscriptions).where(_S.id == stored.id).values(**changed))


def _whose(author_key: str | None, email: str | None) -> sa.ColumnElement[bool]:
    if author_key is not None:
        return _S.author_key == author_key
    return _S.email == email_key(email or "")


class SubscriptionsPart(StoreBase):
    """The :class:`~threadkit.subscriptions.SubscriptionStore` methods."""

    def thread_subscriptions(self, thread_key: str) -> list[Subscription]:
        """Every confirmed address subscribed to ``thread_key``, once each, oldest first."""
        query = (
            sa.select(*_COLUMNS)
            .where(_S.thread_key == thread_key, _S.confirmed.is_(True))
            .order_by(_S.id)
        )
        rows = self._read(lambda conn: conn.execute(query).all())
        return [_subscription(row) for row in rows]

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        """Return the subscription with this id, or ``None``."""
        return self._one(_S.id == subscription_id)

    def comment_subscription(self, comment_id: int) -> Subscription | None:
        """Return the subscription comment ``comment_id`` made or last renewed, or ``None``."""
        return self._one(_S.comment_id == comment_id)

    def _one(self, where: sa.ColumnElement[bool]) -> Subscription | None:
        query = sa.select(*_COLUMNS).where(where)
        row = self._read(lambda conn: conn.execute(query).first())
        return None if row is None else _subscription(row)

    def confirm_subscription(self, subscription_id: int) -> Subscription | None:
        """Confirm a pending subscription (idempotent); return it, ``None`` if it ended."""
        where = _S.id == subscription_id

        def work(conn: Connection) -> Subscription | None:
            conn.execute(sa.update(subscriptions).where(where).values(confirmed=True))
            row = conn.execute(sa.select(*_COLUMNS).where(where)).first()
            return None if row is None else _subscription(row)

        return self._write(work)

    def remove_subscription(self, subscription_id: int) -> Subscription | None:
        """End this subscription's address's subscription to its thread (idempotent)."""

        def work(conn: Connection) -> Subscription | None:
            row = conn.execute(sa.select(*_COLUMNS).where(_S.id == subscription_id)).first()
            if row is None:
                return None
            found = _subscription(row)
            conn.execute(sa.delete(subscriptions).where(_S.id == subscription_id))
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
