"""One ``timeout`` per store call: retries stay inside it, SQLite's lock wait too."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, exc
from threadkit_sqlalchemy import SqlCommentStore, create_engine
from threadkit_sqlalchemy import _base as store_module

from threadkit.errors import StorageUnavailableError


def test_deadlock_retries_stop_when_the_call_runs_out_of_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each attempt colliding for 0.4 s under timeout=1: at most 3 attempts, not all 8."""
    store = SqlCommentStore(f"sqlite:///{tmp_path}/c.db", upgrade=True, timeout=1.0)
    monkeypatch.setattr(store_module, "is_retryable", lambda error: True)
    attempts: list[int] = []
    never = threading.Event()

    def collide(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        attempts.append(1)
        never.wait(0.4)
        raise exc.OperationalError(statement, {}, Exception("deadlock detected"))

    event.listen(store.engine, "before_cursor_execute", collide)
    with pytest.raises(StorageUnavailableError):
        store.get_thread("t1")
    store.close()
    assert len(attempts) <= 3


def test_sqlite_busy_timeout_stays_within_a_short_timeout(tmp_path: Path) -> None:
    """timeout=2 gives SQLite a 2000 ms busy timeout; a longer explicit one is refused."""
    store = SqlCommentStore(f"sqlite:///{tmp_path}/c.db", upgrade=True, timeout=2.0)
    with store.engine.connect() as conn:
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    store.close()
    assert 2000 == busy
    with pytest.raises(ValueError, match=r"busy_timeout_ms must be within 2000\.\.2000"):
        create_engine(f"sqlite:///{tmp_path}/c.db", timeout=2.0, busy_timeout_ms=5000)


def test_the_timeout_must_be_positive() -> None:
    """timeout=0 would mean "wait forever" to the drivers, so it is refused."""
    with pytest.raises(ValueError, match="timeout must be within"):
        SqlCommentStore("sqlite://", timeout=0)
