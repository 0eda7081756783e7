"""A lean transaction whose COMMIT fails goes back to the pool rolled back (``_lean``, issue 12).

SQLite keeps a transaction open when its ``COMMIT`` fails (a deferred foreign
key violated here; ``SQLITE_BUSY`` without WAL does the same). The connection
must not be pooled with it open: the next transaction on it could not begin,
and its write lock would hold every other writer off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool
from threadkit_sqlalchemy import create_engine
from threadkit_sqlalchemy._lean import LeanTransaction, run_lean


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite engine with a foreign key checked only at ``COMMIT``."""
    made = create_engine(f"sqlite:///{tmp_path}/commit.db")
    with made.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER"
            " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    yield made
    made.dispose()


def _orphan_on_driver(conn: Connection) -> None:
    lean: LeanTransaction = conn  # type: ignore[assignment]  # what run_lean passes
    lean.driver.execute("INSERT INTO child VALUES (1, 99)")


def _orphan_joined(conn: Connection) -> None:
    conn.exec_driver_sql("INSERT INTO child VALUES (1, 99)")  # not prepared: joins


def _pooled_connection_is_clean(engine: Engine) -> None:
    """Nothing is checked out, and the pooled connection holds no transaction and no row."""
    assert 0 == engine.pool.checkedout()  # type: ignore[attr-defined]
    pooled = engine.raw_connection()
    try:
        driver = pooled.dbapi_connection
        assert driver is not None
        assert not driver.in_transaction
        assert driver.execute("SELECT count(*) FROM child").fetchone() == (0,)
    finally:
        pooled.close()
    # The next transaction on the same pooled connection begins and commits.
    assert run_lean(engine, lambda conn: 1, "BEGIN IMMEDIATE") == 1


@pytest.mark.parametrize("work", [_orphan_on_driver, _orphan_joined], ids=["driver", "joined"])
def test_a_failed_commit_is_rolled_back_before_the_connection_is_pooled(
    engine: Engine, work: object
) -> None:
    """The error reaches the caller; the pooled connection holds no transaction and no row."""
    with pytest.raises(exc.IntegrityError):
        run_lean(engine, work, "BEGIN IMMEDIATE")  # type: ignore[arg-type]
    assert isinstance(engine.pool, QueuePool)
    _pooled_connection_is_clean(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM child")).scalar() == 0


def test_a_failed_commit_on_a_reused_connection_pools_it_rolled_back(engine: Engine) -> None:
    """The read's connection, reused by a write whose COMMIT fails, holds nothing when pooled."""
    read = LeanTransaction(engine, "BEGIN")
    assert read.driver.execute("SELECT count(*) FROM child").fetchone() == (0,)
    with pytest.raises(exc.IntegrityError):
        run_lean(engine, _orphan_on_driver, "BEGIN IMMEDIATE", read)
    read.close()  # as the block does on its way out: nothing more
    _pooled_connection_is_clean(engine)
