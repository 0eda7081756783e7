"""Migration 0004: a database at 0003 gets the bans and site settings tables, and keeps its data."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlstore_backends import Databases
from threadkit_sqlalchemy import SqlCommentStore, create_engine
from threadkit_sqlalchemy.migrate import alembic_config, current_revision, main

from threadkit.bans import Ban, BanKind

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _url(url: sa.URL) -> str:
    return url.render_as_string(hide_password=False)


def test_upgrade_from_0003_adds_bans_and_settings_and_downgrade_drops_them(
    databases: Databases,
) -> None:
    """0003 -> 0004 keeps threads and makes bans work; 0004 -> 0003 drops only the new tables."""
    url = databases.empty()
    assert 0 == main(["upgrade", "--url", _url(url), "--revision", "0003_thread_version"])
    engine = create_engine(url)
    threads = sa.table(
        "tk_threads",
        *(sa.column(name) for name in ("key", "title", "url", "closed", "created_at")),
        *(sa.column(name) for name in ("comment_count", "top_level_count", "top_seq")),
    )
    with engine.begin() as conn:
        conn.execute(
            sa.insert(threads).values(
                key="old",
                title="Kept",
                url="",
                closed=False,
                created_at=sa.func.current_timestamp(),
                comment_count=0,
                top_level_count=0,
                top_seq=0,
            )
        )
    assert 0 == main(["upgrade", "--url", _url(url), "--revision", "0004_bans"])
    store = SqlCommentStore(engine)
    kept = store.add_ban(Ban(BanKind.IP, "203.0.113.0/24", NOW, shadow=True, reason="spam"))
    store.save_site_settings("blog.example", {"moderation": "hold-all"})
    assert ([kept], {"moderation": "hold-all"}) == (
        store.active_bans(NOW),
        store.site_settings("blog.example"),
    )
    with engine.connect() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0003_thread_version")
        conn.commit()
    tables = set(sa.inspect(engine).get_table_names())
    revision = current_revision(engine)
    with engine.connect() as conn:
        title = conn.execute(sa.select(threads.c.title).where(threads.c.key == "old")).scalar()
    engine.dispose()
    assert ("0003_thread_version", set()) == (revision, {"tk_bans", "tk_site_settings"} & tables)
    assert "Kept" == title
