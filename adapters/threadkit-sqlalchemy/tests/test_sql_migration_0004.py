"""Migration 0004: a database at 0003 gets the bans and site settings tables, and keeps its data."""

from __future__ import annotations

from datetime import UTC, datetime

from migration_steps import crossed, downgrade_and_look, upgrade
from sqlstore_backends import Databases
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.bans import Ban, BanKind

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_upgrade_from_0003_adds_bans_and_settings_and_downgrade_drops_them(
    databases: Databases,
) -> None:
    """0003 -> 0004 keeps threads and makes bans work; 0004 -> 0003 drops only the new tables."""
    url = databases.empty()
    engine = crossed(url, "0003_thread_version", "0004_bans")
    upgrade(url, "head")  # the store needs the newest schema; the downgrade passes 0004
    store = SqlCommentStore(engine)
    kept = store.add_ban(Ban(BanKind.IP, "203.0.113.0/24", NOW, shadow=True, reason="spam"))
    store.save_site_settings("blog.example", {"moderation": "hold-all"})
    assert ([kept], {"moderation": "hold-all"}) == (
        store.active_bans(NOW),
        store.site_settings("blog.example"),
    )
    revision, tables, title = downgrade_and_look(engine, "0003_thread_version")
    assert ("0003_thread_version", set()) == (revision, {"tk_bans", "tk_site_settings"} & tables)
    assert "Kept" == title
