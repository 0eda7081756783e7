"""Migration 0003: a database at 0002 gets ``tk_threads.version`` (0) and keeps its threads."""

from __future__ import annotations

import sqlalchemy as sa
from sqlstore_backends import Databases
from threadkit_sqlalchemy import create_engine
from threadkit_sqlalchemy.migrate import current_revision, main


def _url(url: sa.URL) -> str:
    return url.render_as_string(hide_password=False)


def test_threadkit_db_upgrade_adds_the_version_to_a_0002_database(databases: Databases) -> None:
    """Upgrading from 0002 keeps every thread row and starts its version at 0."""
    url = databases.empty()
    assert 0 == main(["upgrade", "--url", _url(url), "--revision", "0002_races"])
    engine = create_engine(url)
    threads = sa.table(
        "tk_threads",
        sa.column("key"),
        sa.column("title"),
        sa.column("url"),
        sa.column("closed"),
        sa.column("created_at"),
        sa.column("comment_count"),
        sa.column("top_level_count"),
        sa.column("top_seq"),
    )
    with engine.begin() as conn:
        conn.execute(
            sa.insert(threads).values(
                key="old",
                title="Kept",
                url="",
                closed=False,
                created_at=sa.func.current_timestamp(),
                comment_count=3,
                top_level_count=2,
                top_seq=2,
            )
        )
    assert 0 == main(["upgrade", "--url", _url(url), "--revision", "0003_thread_version"])
    with engine.connect() as conn:
        table = sa.Table("tk_threads", sa.MetaData(), autoload_with=conn)
        query = sa.select(table.c.title, table.c.comment_count, table.c.version)
        row = conn.execute(query.where(table.c.key == "old")).one()
    revision = current_revision(engine)
    engine.dispose()
    assert (("Kept", 3, 0), "0003_thread_version") == (tuple(row), revision)
