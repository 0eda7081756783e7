"""The post path's statements on SQLite's own cursor, and the ban list kept between posts (#12).

On SQLite a post's statements run on the driver's cursor (``_fast.Prepared``)
unless someone listens to the engine's cursor events; these tests pin that the
fast path stores and reads exactly what the plain path does, keeps a post
atomic, and reports driver errors as SQLAlchemy's. The ban list is kept
between calls on every backend and must still apply a new ban at once, also one
added by another store (another process) on the same database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine
from test_sql_store import _selects
from thread_rows import new_thread_row
from threadkit_sqlalchemy import SqlCommentStore
from threadkit_sqlalchemy import _writes as writes_module
from threadkit_sqlalchemy._fast import Prepared
from threadkit_sqlalchemy._schema import comments, threads

from threadkit.bans import Ban, BanKind
from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.errors import RejectedError
from threadkit.models import Identity, RequestContext, Status, Submission
from threadkit.moderation import default_pipeline

START = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)


def _engine(store: SqlCommentStore, clock: ManualClock | None = None) -> CommentEngine:
    clock = clock or ManualClock(START, step=timedelta(seconds=16))
    return CommentEngine(store, pipeline=default_pipeline(store), clock=clock)


def _post(engine: CommentEngine, n: int, parent_id: int | None = None) -> Any:
    return engine.post(
        "fast",
        Submission(f"Comment {n}, *with* a [link](https://example.org/{n}).", parent_id=parent_id),
        Identity("anonymous", f"a{n}", f"Author {n}", email=f"a{n}@example.org"),
        RequestContext(ip=f"192.0.2.{n}", user_agent="test"),
    )


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlCommentStore]:
    """A store on a fresh SQLite file (WAL, so posts share a read transaction)."""
    store = SqlCommentStore(f"sqlite:///{tmp_path}/fast.db", upgrade=True)
    yield store
    store.close()


def _raw_rows(engine: Engine, ids: list[int]) -> list[tuple[Any, ...]]:
    """Every stored column of ``ids``, as the database holds it (timestamps as SQLite text)."""
    with engine.connect() as conn:
        marks = ",".join("?" * len(ids))
        found = conn.exec_driver_sql(
            f"SELECT * FROM tk_comments WHERE id IN ({marks}) ORDER BY id", tuple(ids)
        )
        return [tuple(row) for row in found]


def test_the_fast_path_stores_what_the_plain_path_stores(sqlite_store: SqlCommentStore) -> None:
    """The same posts, fast and plain (a listener on), leave byte-identical rows but the ids."""
    engine = _engine(sqlite_store)
    fast = [_post(engine, 1), _post(engine, 2)]
    fast.append(_post(engine, 3, parent_id=fast[0].id))
    with _selects(sqlite_store.engine) as seen:  # a listener: the plain path
        plain = [_post(engine, 1 + 10), _post(engine, 2 + 10)]
        plain.append(_post(engine, 3 + 10, parent_id=plain[0].id))
    assert any(s.startswith("SELECT tk_threads.id, tk_threads.top_seq") for s in seen)
    stored = _raw_rows(sqlite_store.engine, [c.id for c in fast + plain])
    # Same columns, same types, same text format (the timestamps' too); only the
    # values that depend on the post differ: ids, texts, addresses, tree places.
    kinds = [[type(value) for value in row] for row in stored]
    assert kinds[:3] == kinds[3:]
    created = [row[stored_index("created_at")] for row in stored]
    assert all(len(text) == len("2026-12-02 08:30:16.000000") for text in created), created
    assert [c.created_at for c in fast + plain] == [
        sqlite_store.get_comment(c.id).created_at  # type: ignore[union-attr]
        for c in fast + plain
    ]
    replies = [sqlite_store.get_comment(c.id) for c in (fast[0], plain[0])]
    assert [1, 1] == [c.reply_count for c in replies if c is not None]
    assert (6, 4) == _counts(sqlite_store)


def stored_index(column: str) -> int:
    """Position of ``column`` in ``SELECT * FROM tk_comments``."""
    return [c.name for c in comments.columns].index(column)


def _counts(store: SqlCommentStore) -> tuple[int, int]:
    thread = store.get_thread("fast")
    assert thread is not None
    return thread.comment_count, thread.top_level_count


def test_a_fast_post_failing_after_the_insert_leaves_nothing(
    sqlite_store: SqlCommentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No listener (fast path): a failure after the INSERT rolls the row and counters back."""
    engine = _engine(sqlite_store)
    first = _post(engine, 1)

    def fail(*args: Any) -> None:
        raise RuntimeError("injected failure after the insert")

    monkeypatch.setattr(writes_module.WritesPart, "_count_new", staticmethod(fail))
    with pytest.raises(RuntimeError):
        _post(engine, 2, parent_id=first.id)
    monkeypatch.undo()
    with sqlite_store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT count(*), max(child_seq) FROM tk_comments").one()
    assert ((1, 0), (1, 1)) == (tuple(rows), _counts(sqlite_store))
    assert Status.APPROVED is _post(engine, 3, parent_id=first.id).status


def test_a_driver_error_on_the_fast_path_is_sqlalchemys(sqlite_store: SqlCommentStore) -> None:
    """A constraint the driver refuses comes out as ``sqlalchemy.exc.IntegrityError``."""
    insert = Prepared(sa.insert(threads))
    values = new_thread_row("twice", START)
    with sqlite_store.engine.connect() as conn, conn.begin():
        first = insert.insert(conn, values)
        with pytest.raises(exc.IntegrityError):
            insert.insert(conn, values)
        read = Prepared(sa.select(threads.c.id, threads.c.closed).where(threads.c.key == "twice"))
        assert [(first, 0)] == [tuple(row) for row in read.rows(conn, {})]


def test_outside_a_transaction_a_prepared_statement_takes_the_plain_path(
    sqlite_store: SqlCommentStore,
) -> None:
    """With no transaction begun, SQLAlchemy's autobegin runs (and sees) the statement."""
    sqlite_store.ensure_thread("fast", now=START)
    read = Prepared(sa.select(threads.c.key).where(threads.c.key == sa.bindparam("b_key")))
    with sqlite_store.engine.connect() as conn:
        row = read.first(conn, {"b_key": "fast"})
        assert (("fast",), True) == (tuple(row), conn.in_transaction())


def test_each_transaction_decides_its_path_as_it_begins(
    sqlite_store: SqlCommentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pooled connections that ran plain while a listener was on run on the cursor again after."""
    engine = _engine(sqlite_store)
    _post(engine, 1)
    executed: list[object] = []
    execute = Connection.execute

    def counting(self: Connection, statement: Any, *args: Any, **kwargs: Any) -> Any:
        executed.append(statement)
        return execute(self, statement, *args, **kwargs)

    monkeypatch.setattr(Connection, "execute", counting)
    with _selects(sqlite_store.engine) as seen:
        _post(engine, 2)
    plain = len(executed)
    for n in range(3, 7):  # the pool hands out every connection the plain post used
        _post(engine, n)
    assert any(s.startswith("SELECT tk_threads.id, tk_threads.top_seq") for s in seen)
    assert (True, plain) == (plain > 0, len(executed))


# ------------------------------------------------------------------ the ban list, kept


def test_a_ban_added_by_another_store_applies_to_the_next_post(
    sql_store: SqlCommentStore, shared_engine: Engine
) -> None:
    """Kept ban lists: a ban from another process refuses the very next post; a lift frees it."""
    clock = ManualClock(START, step=timedelta(seconds=16))
    engine = _engine(sql_store, clock)
    _post(engine, 1)
    assert [] == sql_store.active_bans(clock.now())  # read and kept
    other = SqlCommentStore(shared_engine)  # another worker on the same database
    try:
        ban = other.add_ban(Ban(BanKind.IP, "192.0.2.0/24", clock.now(), reason="spam wave"))
        with pytest.raises(RejectedError) as refused:
            _post(engine, 2)
        other.lift_ban(ban.id)
        other.add_ban(Ban(BanKind.EMAIL, "nobody@example.org", clock.now()))
    finally:
        other.close()
    assert "banned" == refused.value.code
    assert Status.APPROVED is _post(engine, 3).status
    assert ["nobody@example.org"] == [b.value for b in sql_store.active_bans(clock.now())]


def test_a_kept_ban_list_drops_expired_bans_and_rereads_for_an_earlier_time(
    sql_store: SqlCommentStore,
) -> None:
    """Bans end by ``now`` without a re-read; asking about an earlier moment reads again."""
    until = START + timedelta(hours=1)
    timed = sql_store.add_ban(Ban(BanKind.IP, "198.51.100.7", START, until=until))
    forever = sql_store.add_ban(Ban(BanKind.IDENTITY, "anonymous:x", START))
    assert [forever, timed] == sql_store.active_bans(START)
    assert [forever] == sql_store.active_bans(until)
    assert [forever, timed] == sql_store.active_bans(START + timedelta(minutes=1))
    assert [forever] == sql_store.active_bans(until + timedelta(days=1))
