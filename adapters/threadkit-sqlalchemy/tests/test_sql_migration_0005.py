"""Migration 0005: a database at 0004 gets the subscriptions table, and keeps its data."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
from migration_steps import crossed, downgrade_and_look
from sqlstore_backends import Databases
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.models import Identity, NewComment, Status

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
ADA = Identity("github", "ada", "Ada", email="Ada@example.org", verified=True)


def test_upgrade_from_0004_adds_subscriptions_and_downgrade_drops_them(
    databases: Databases,
) -> None:
    """0004 -> 0005 keeps threads and makes subscriptions work; 0005 -> 0004 drops only them."""
    url = databases.empty()
    engine = crossed(url, "0004_bans", "0005_subscriptions")
    store = SqlCommentStore(engine)
    draft = NewComment("old", None, ADA, "Hi", "<p>Hi</p>", Status.APPROVED, NOW)
    store.add_comment(attrs.evolve(draft, notify_thread=True))
    assert ["ada@example.org"] == [s.email for s in store.thread_subscriptions("old")]
    revision, tables, title = downgrade_and_look(engine, "0004_bans")
    assert ("0004_bans", False, True) == (
        revision, "tk_subscriptions" in tables, "tk_bans" in tables
    )  # fmt: skip
    assert "Kept" == title
