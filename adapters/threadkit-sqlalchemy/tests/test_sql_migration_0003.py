"""Migration 0003: a database at 0002 gets ``tk_threads.version`` (0) and keeps its threads."""

from __future__ import annotations

import sqlalchemy as sa
from migration_steps import insert_old_thread, upgrade
from sqlstore_backends import Databases
from threadkit_sqlalchemy import create_engine
from threadkit_sqlalchemy.migrate import current_revision


def test_threadkit_db_upgrade_adds_the_version_to_a_0002_database(databases: Databases) -> None:
    """Upgrading from 0002 keeps every thread row and starts its version at 0."""
    url = databases.empty()
    upgrade(url, "0002_races")
    engine = create_engine(url)
    insert_old_thread(engine, comments=3, top_level=2)
    upgrade(url, "0003_thread_version")
    with engine.connect() as conn:
        table = sa.Table("tk_threads", sa.MetaData(), autoload_with=conn)
        query = sa.select(table.c.title, table.c.comment_count, table.c.version)
        row = conn.execute(query.where(table.c.key == "old")).one()
    revision = current_revision(engine)
    engine.dispose()
    assert (("Kept", 3, 0), "0003_thread_version") == (tuple(row), revision)
