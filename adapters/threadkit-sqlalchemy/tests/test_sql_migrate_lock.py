"""Workers upgrading at once: the upgrade's lock is held until its COMMIT.

A worker that waits for the lock must find the finished upgrade. On MariaDB
the lock was released before the upgrade's transaction committed, so a waiting
worker read the revision being replaced and ran the last migration again
("Table 'tk_subscriptions' already exists", seen once in CI). Every COMMIT is
slowed here, which widens that window from microseconds to a fifth of a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlstore_backends import Databases
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
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def start() -> None:
        try:
            barrier.wait()
            SqlCommentStore(url, upgrade=True).close()
        except BaseException as error:  # handed to the test thread below
            errors.append(error)

    workers = [threading.Thread(target=start) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    engine = create_engine(url)
    try:
        assert ([], head_revision()) == (errors, current_revision(engine))
    finally:
        engine.dispose()
