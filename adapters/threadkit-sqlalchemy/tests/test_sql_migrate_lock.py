"""Workers upgrading at once: the upgrade's lock is held until its COMMIT.

A worker that waits for the lock must find the finished upgrade. On MariaDB
the lock was released before the upgrade's transaction committed, so a waiting
worker read the revision being replaced and ran the last migration again
("Table 'tk_subscriptions' already exists", seen once in CI). Every COMMIT is
slowed here, which widens that window from microseconds to a fifth of a second.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlstore_backends import Databases, start_at_once
from threadkit_sqlalchemy import SqlCommentStore, create_engine
from threadkit_sqlalchemy.migrate import current_revision, head_revision

SLOW_COMMIT = 0.2  # seconds between the COMMIT being asked for and sent


@pytest.fixture
def slow_commits() -> Iterator[None]:
    """Every engine's COMMIT (SQLAlchemy's ``commit`` event) waits before it is sent."""

    def wait(conn: Any) -> None:
        time.sleep(SLOW_COMMIT)

    sa.event.listen(sa.engine.Engine, "commit", wait)
    try:
        yield
    finally:
        sa.event.remove(sa.engine.Engine, "commit", wait)


def test_a_waiting_worker_finds_the_upgrade_committed(
    databases: Databases, slow_commits: None
) -> None:
    """Three workers start with upgrade=True on an empty database: all start, none fails."""
    url = databases.empty()
    errors = start_at_once(url, 3)
    engine = create_engine(url)
    try:
        assert ([], head_revision()) == (errors, current_revision(engine))
    finally:
        engine.dispose()


def test_an_upgrade_on_sqlite_outwaits_the_busy_timeout(tmp_path: Path) -> None:
    """An upgrade queued behind another writer waits past the store's busy timeout (1 s here)."""
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")  # another worker's upgrade, still running
    release = threading.Timer(2.0, holder.rollback)
    release.start()
    began = time.monotonic()
    try:
        store = SqlCommentStore(f"sqlite:///{path}", upgrade=True, timeout=1.0)
    finally:
        release.join()
        holder.close()
    waited = time.monotonic() - began
    try:
        assert head_revision() == current_revision(store.engine)
        with store.engine.connect() as conn:  # the pooled connection's own wait is back
            busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    finally:
        store.close()
    assert waited >= 1.5
    assert 1000 == busy


def test_a_new_file_enters_wal_once_another_connection_lets_go(tmp_path: Path) -> None:
    """Connecting to a new file another connection holds: WAL waits for it (SQLite would not)."""
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE worker (n INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # still in the rollback journal: WAL must wait
    holder.execute("INSERT INTO worker VALUES (1)")
    release = threading.Timer(0.5, holder.commit)
    release.start()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            rows = conn.exec_driver_sql("SELECT n FROM worker").all()
    finally:
        release.join()
        holder.close()
        engine.dispose()
    assert ("wal", [(1,)]) == (mode, rows)
