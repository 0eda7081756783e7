"""What the SQL store promises beyond the conformance suite, on every backend.

Tests are named for the capability; each runs on SQLite, PostgreSQL and
MariaDB (see ``conftest.py``) unless the capability belongs to one backend.
"""

from __future__ import annotations

import multiprocessing
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlstore_backends import MARIADB_URL, POSTGRES_URL, Databases
from threadkit_sqlalchemy import (
    DEFAULT_MAX_BODY_BYTES,
    DatabaseConfigurationError,
    SqlCommentStore,
    create_engine,
)

from threadkit.clock import ManualClock
from threadkit.errors import InvalidParentError, StorageUnavailableError, ValidationError
from threadkit.models import Comment, Identity, NewComment, SortOrder, Status
from threadkit.testing.capabilities import NETWORK_SERVER, STATEMENT_TIMEOUT
from threadkit.testing.generate import generate_thread
from threadkit.testing.store_kit import ADA, EVERYONE, MODERATOR, T0, Kit, preorder


@pytest.fixture
def kit(sql_store: SqlCommentStore) -> Kit:
    return Kit(sql_store, ManualClock(T0))


def _rows(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# ------------------------------------------------------------------ body size


def test_body_at_the_byte_limit_is_stored_byte_exact(kit: Kit) -> None:
    """A body of exactly max_body_bytes UTF-8 bytes (4-byte emoji included) round-trips."""
    kit.thread()
    emoji = "\U0001f642" * 1000
    body = emoji + "x" * (DEFAULT_MAX_BODY_BYTES - len(emoji.encode()))
    comment = kit.add(body=body)
    stored = kit.get(comment)
    assert (DEFAULT_MAX_BODY_BYTES, body) == (len(stored.body_source.encode()), stored.body_source)


def test_body_one_byte_over_the_limit_is_refused_before_the_database(
    kit: Kit, sql_store: SqlCommentStore
) -> None:
    """One byte over max_body_bytes raises ValidationError(field="body") and stores nothing."""
    kit.thread()
    body = "\U0001f642" + "x" * (DEFAULT_MAX_BODY_BYTES - 3)
    with pytest.raises(ValidationError) as caught:
        kit.add(body=body)
    assert ("body", "too_long") == (caught.value.field, caught.value.code)
    assert 0 == _rows(sql_store.engine, "tk_comments")


def test_text_the_database_cannot_keep_is_refused_with_the_field(kit: Kit) -> None:
    """A NUL character or a lone surrogate is refused up front, naming the field."""
    kit.thread()
    fields = []
    for bad in ("a\x00b", "a\ud800b"):
        with pytest.raises(ValidationError) as caught:
            kit.add(body=bad)
        fields.append(caught.value.field)
    assert ["body", "body"] == fields


# ------------------------------------------------------------------ depth cap


def _flattened_tree(kit: Kit) -> list[Comment]:
    """A thread with a branching subtree far deeper than a storage cap of 3."""
    kit.thread()
    top = kit.add()
    made = [top]
    chain = top
    for _ in range(6):
        chain = kit.add(chain)
        made.append(chain)
    # Branch below the cap: replies to deep comments in an order that
    # interleaves creation order with tree order.
    deep = made[4]
    first = kit.add(deep)
    second = kit.add(deep)
    made += [first, second, kit.add(first), kit.add(made[6]), kit.add(second), kit.add(first)]
    made.append(kit.add())  # a second top-level comment
    return made


@pytest.fixture
def capped(shared_engine: Engine, kit: Kit) -> tuple[SqlCommentStore, list[Comment]]:
    """A store flattening replies below depth 3, and the tree ``_flattened_tree`` made in it."""
    store = SqlCommentStore(shared_engine, storage_depth_cap=3)
    kit.store = store
    return store, _flattened_tree(kit)


def test_replies_below_the_storage_cap_keep_true_parent_and_depth(
    capped: tuple[SqlCommentStore, list[Comment]]
) -> None:
    """Comments stored flattened at the cap still report their real parent and depth."""
    store, made = capped
    stored = {
        c.id: (c.parent_id, c.depth)
        for c in map(store.get_comment, [c.id for c in made])
        if c is not None
    }
    assert {c.id: (c.parent_id, c.depth) for c in made} == stored
    assert [6, 5, 5, 6, 7, 6, 6] == [c.depth for c in made[6:13]]


def test_replies_below_the_storage_cap_page_back_depth_first(
    capped: tuple[SqlCommentStore, list[Comment]]
) -> None:
    """A page over a flattened subtree lists it in exact depth-first order."""
    store, made = capped
    for sort in SortOrder:
        rows = store.page("t1", sort=sort, visibility=EVERYONE, top_limit=1, total_limit=100)
        tops = [made[0]] if sort is not SortOrder.NEWEST else [made[-1]]
        assert preorder(made, EVERYONE, tops) == [c.id for c in rows.comments]


def test_subtree_of_a_comment_stored_at_the_cap_lists_its_true_descendants(
    capped: tuple[SqlCommentStore, list[Comment]], kit: Kit
) -> None:
    """subtree() of a flattened comment finds its replies among its storage siblings, in batches."""
    _, made = capped
    deep = made[4]  # true depth 4, stored at the cap
    expected = preorder(made, EVERYONE)
    expected = [i for i in expected if i in _descendant_ids(made, deep.id)]
    listed = [c.id for rows in kit.subtree_pages(deep.id, total_limit=2) for c in rows.comments]
    assert expected == listed


def _descendant_ids(made: list[Comment], root: int) -> set[int]:
    found = {root}
    for comment in made:
        if comment.parent_id in found:
            found.add(comment.id)
    return found - {root}


# ------------------------------------------------------------------ byte-order paths


def test_paths_sort_by_byte_order_past_sixty_two_siblings(kit: Kit) -> None:
    """Seventy replies (path digits 0-9, A-Z, a-z, then two digits) page back oldest first."""
    kit.thread()
    top = kit.add()
    replies = [kit.add(top).id for _ in range(70)]
    assert [top.id, *replies] == kit.ids()


# ------------------------------------------------------------------ atomic writes


def test_a_post_failing_midway_leaves_nothing_behind(kit: Kit, sql_store: SqlCommentStore) -> None:
    """If a statement fails after the insert, the row, counters and child ordinal roll back."""
    kit.thread()
    parent = kit.add()
    engine = sql_store.engine

    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("UPDATE tk_threads"):
            raise RuntimeError("injected failure after the insert")

    event.listen(engine, "before_cursor_execute", fail)
    try:
        with pytest.raises(RuntimeError):
            kit.add(parent)
    finally:
        event.remove(engine, "before_cursor_execute", fail)
    assert (1, (1, 1), 0) == (
        _rows(engine, "tk_comments"),
        kit.count(),
        kit.get(parent).reply_count,
    )
    reply = kit.add(parent)
    assert [parent.id, reply.id] == kit.ids()


# ------------------------------------------------------------------ outages


def test_an_unreachable_database_raises_storage_unavailable(
    backend: str, databases: Databases, tmp_path: Any
) -> None:
    """Starting a store, or calling one, on a database that is not there raises 503-style."""
    if backend == "sqlite":
        url = sa.make_url(f"sqlite:///{tmp_path}/missing-dir/comments.db")
    else:
        server = POSTGRES_URL if backend == "postgresql" else MARIADB_URL
        url = sa.make_url(server).set(host="127.0.0.1", port=_free_port())
    with pytest.raises(StorageUnavailableError):
        SqlCommentStore(url)
    store = SqlCommentStore(url, check=False, connect_timeout=2)
    with pytest.raises(StorageUnavailableError):
        store.ensure_thread("t1", now=T0)
    with pytest.raises(StorageUnavailableError):
        store.get_thread("t1")
    store.close()


def _kill(admin: Engine, backend: str, session: int) -> None:
    with admin.connect() as conn:
        if backend == "postgresql":
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": session})
        else:
            conn.exec_driver_sql(f"KILL {int(session)}")


@pytest.mark.capability(NETWORK_SERVER)
def test_a_connection_killed_mid_post_raises_unavailable_and_writes_nothing(
    backend: str, kit: Kit, sql_store: SqlCommentStore, shared_url: sa.URL
) -> None:
    """The server dropping the connection during a post gives StorageUnavailableError, no row."""
    kit.thread()
    engine = sql_store.engine
    admin = create_engine(shared_url)
    killed: list[int] = []

    def kill_own_session(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO tk_comments") and not killed:
            query = (
                "SELECT pg_backend_pid()" if backend == "postgresql" else "SELECT CONNECTION_ID()"
            )
            cursor.execute(query)
            session = cursor.fetchone()[0]
            killed.append(session)
            _kill(admin, backend, session)

    event.listen(engine, "before_cursor_execute", kill_own_session)
    try:
        with pytest.raises(StorageUnavailableError):
            kit.add()
    finally:
        event.remove(engine, "before_cursor_execute", kill_own_session)
        admin.dispose()
    assert (0, (0, 0)) == (_rows(engine, "tk_comments"), kit.count())
    assert [kit.add().id] == kit.ids()  # the pool replaced the dead connection


@pytest.mark.capability(STATEMENT_TIMEOUT)
def test_a_post_stuck_behind_a_lock_past_the_statement_timeout_raises_unavailable(
    kit: Kit, shared_url: sa.URL
) -> None:
    """A post that waits on a locked thread row past statement_timeout fails cleanly."""
    kit.thread()
    impatient = SqlCommentStore(shared_url, statement_timeout=0.5)
    holder = create_engine(shared_url)
    with holder.connect() as conn:
        conn.exec_driver_sql("SELECT id FROM tk_threads WHERE id > 0 FOR UPDATE")
        with pytest.raises(StorageUnavailableError):
            impatient.add_comment(
                NewComment("t1", None, ADA, "late", "<p>late</p>", Status.APPROVED, T0)
            )
        conn.rollback()
    holder.dispose()
    impatient.close()
    assert ([], (0, 0)) == (kit.ids(), kit.count())


@pytest.mark.slow
@pytest.mark.backends("sqlite")
def test_sqlite_write_lock_held_too_long_raises_storage_unavailable(
    backend: str, sql_store: SqlCommentStore
) -> None:
    """A writer kept from SQLite's lock past the busy timeout gets StorageUnavailableError."""
    sql_store.ensure_thread("t1", now=T0)
    blocker = sa.create_engine(sql_store.engine.url)
    with blocker.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        with pytest.raises(StorageUnavailableError):
            sql_store.ensure_thread("t2", now=T0)
        conn.exec_driver_sql("ROLLBACK")
    blocker.dispose()
    assert None is sql_store.get_thread("t2")


# ------------------------------------------------------------------ many processes

WRITERS = 8
PER_WRITER = 25


def _write_from_process(url: str, worker: int) -> list[int]:
    """Post PER_WRITER comments (every fourth top level, else replies) from a new process."""
    store = SqlCommentStore(url)
    author = Identity("anonymous", f"proc-{worker}", f"Process {worker}")
    made: list[int] = []
    try:
        for index in range(PER_WRITER):
            parent = None if index % 4 == 0 else made[(index * 7) % len(made)]
            draft = NewComment(
                "t1",
                parent,
                author,
                f"from {worker}/{index} \U0001f642",
                "<p>x</p>",
                Status.APPROVED,
                T0 + timedelta(seconds=index),
            )
            made.append(store.add_comment(draft).id)
    finally:
        store.close()
    return made


@pytest.mark.slow
def test_parallel_posts_from_separate_processes_lose_nothing(kit: Kit, shared_url: sa.URL) -> None:
    """Eight processes posting into one thread: every comment kept once, counts and paths right."""
    kit.thread()
    url = shared_url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with context.Pool(WRITERS) as pool:
        made = pool.starmap(_write_from_process, [(url, w) for w in range(WRITERS)])
    ids = [i for batch in made for i in batch]
    listed = [c for rows in kit.pages() for c in rows.comments]
    stored = [kit.get(i) for i in ids]
    tops = sum(c.parent_id is None for c in stored)
    assert WRITERS * PER_WRITER == len(set(ids))
    assert (WRITERS * PER_WRITER, tops) == kit.count()
    assert preorder(stored, EVERYONE) == [c.id for c in listed]
    replies = {c.id: 0 for c in stored}
    for c in stored:
        if c.parent_id is not None:
            replies[c.parent_id] += 1
    assert replies == {c.id: c.reply_count for c in listed}


# ------------------------------------------------------------------ cost of a page


@contextmanager
def _selects(engine: Engine) -> Iterator[list[str]]:
    """Record the SELECT statements run on ``engine`` inside the block."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("sort", list(SortOrder), ids=[s.value for s in SortOrder])
def test_a_page_takes_the_same_queries_whatever_the_thread_size(
    sql_store: SqlCommentStore, sort: SortOrder
) -> None:
    """Page 1 of a 3,000-comment thread takes no more queries than the page's own bound.

    Oldest first: thread, top-level keyset, one descendant range scan. Other
    orders: one descendant range scan per top-level comment on the page.
    """
    bound = 3 if sort is SortOrder.OLDEST else 2 + 5
    counts = []
    for size, key in ((300, "small"), (3000, "large")):
        sql_store.bulk_load(key, generate_thread(size, seed=5, thread_key=key))
        with _selects(sql_store.engine) as seen:
            rows = sql_store.page(key, sort=sort, visibility=EVERYONE, top_limit=5, total_limit=60)
        counts.append((len(seen) <= bound, len(rows.comments) > 5))
    assert [(True, True), (True, True)] == counts


# ------------------------------------------------------------------ bulk loading


def test_bulk_load_keeps_the_tree_counters_and_order(sql_store: SqlCommentStore) -> None:
    """A bulk-loaded thread reads back field for field, depth first, with every counter right."""
    source = generate_thread(1500, seed=11, thread_key="bulk")
    mapping = sql_store.bulk_load("bulk", source)
    kit = Kit(sql_store, ManualClock(T0))
    listed = [c for rows in kit.pages("bulk", visibility=MODERATOR) for c in rows.comments]
    expected = {
        mapping[c.id]: attrs.evolve(
            c,
            id=mapping[c.id],
            parent_id=None if c.parent_id is None else mapping[c.parent_id],
            root_id=mapping[c.root_id],
        )
        for c in source
    }
    approved = [c for c in source if c.status is Status.APPROVED]
    assert [mapping[i] for i in preorder(source, MODERATOR)] == [c.id for c in listed]
    assert {c.id: expected[c.id] for c in listed} == {c.id: c for c in listed}
    assert (len(approved), sum(c.parent_id is None for c in approved)) == kit.count("bulk")


def test_posting_after_a_bulk_load_continues_ids_and_paths(sql_store: SqlCommentStore) -> None:
    """A comment posted after a bulk load gets a larger id and sorts after the loaded ones."""
    source = generate_thread(50, seed=3, thread_key="t1")
    mapping = sql_store.bulk_load("t1", source)
    kit = Kit(sql_store, ManualClock(T0 + timedelta(days=900)))
    last_top = max(mapping[c.id] for c in source if c.parent_id is None)
    reply = kit.add(last_top)
    top = kit.add()
    assert max(mapping.values()) < reply.id < top.id
    assert top.id == kit.ids()[-1]


def test_bulk_load_that_fails_leaves_nothing(sql_store: SqlCommentStore) -> None:
    """A load whose last row answers an unknown parent raises and stores none of its rows."""
    source = generate_thread(30, seed=3, thread_key="t1")
    broken = [*source[:-1], attrs.evolve(source[-1], parent_id=10**9)]
    with pytest.raises(InvalidParentError):
        sql_store.bulk_load("t1", broken)
    assert 0 == _rows(sql_store.engine, "tk_comments")


# ------------------------------------------------------------------ backend settings


@pytest.mark.backends("sqlite")
def test_sqlite_runs_in_wal_with_foreign_keys_a_busy_timeout_and_full_sync(
    backend: str, sql_store: SqlCommentStore
) -> None:
    """SQLite connections use WAL, foreign keys, busy_timeout >= 5 s and synchronous FULL."""
    with sql_store.engine.connect() as conn:
        actual = [
            conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        ]
    assert ["wal", 1, 5000, 2] == actual


@pytest.mark.backends("sqlite")
def test_sqlite_synchronous_is_configurable(backend: str, shared_url: sa.URL) -> None:
    """synchronous=NORMAL is applied to every SQLite connection."""
    store = SqlCommentStore(shared_url, synchronous="NORMAL")
    with store.engine.connect() as conn:
        assert 1 == conn.exec_driver_sql("PRAGMA synchronous").scalar()
    store.close()


@pytest.mark.backends("mariadb")
def test_mariadb_sessions_are_strict_utc_and_utf8mb4(
    backend: str, sql_store: SqlCommentStore
) -> None:
    """MariaDB connections run in strict SQL mode, UTC, and utf8mb4 both ways."""
    with sql_store.engine.connect() as conn:
        mode, zone, charset = conn.exec_driver_sql(
            "SELECT @@sql_mode, @@time_zone, @@character_set_connection"
        ).one()
    assert ("STRICT_ALL_TABLES" in mode, zone, charset) == (True, "+00:00", "utf8mb4")


@pytest.mark.backends("mariadb")
def test_mariadb_refuses_a_connection_that_is_not_utf8mb4(backend: str, shared_url: sa.URL) -> None:
    """A MariaDB URL asking for another charset is refused with a clear error."""
    with pytest.raises(DatabaseConfigurationError, match="utf8mb4"):
        SqlCommentStore(shared_url.update_query_dict({"charset": "latin1"}))


@pytest.mark.backends("mariadb")
def test_mariadb_refuses_a_table_that_is_not_utf8mb4(backend: str, databases: Databases) -> None:
    """A threadkit table converted to latin1 stops the store from starting."""
    url = databases.migrated()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE tk_outbox CONVERT TO CHARACTER SET latin1")
    engine.dispose()
    with pytest.raises(DatabaseConfigurationError, match="tk_outbox"):
        SqlCommentStore(url)


def test_unicode_survives_a_fresh_connection(kit: Kit, sql_store: SqlCommentStore) -> None:
    """Text written by one store is read back byte-exact by a new engine on the same database."""
    kit.thread()
    text = (
        "\U0001f468\u200d\U0001f469\u200d\U0001f467 漢字 \u0645\u0631\u062d\u0628\u0627"
        " e\u0301\u2028"
    )
    comment = kit.add(body=text, author=Identity("anonymous", text, text))
    other = SqlCommentStore(sql_store.engine.url.render_as_string(hide_password=False))
    stored = other.get_comment(comment.id)
    other.close()
    assert stored is not None
    assert (text, text, text) == (stored.body_source, stored.author.name, stored.author.subject)
