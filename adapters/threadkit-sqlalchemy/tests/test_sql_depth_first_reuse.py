"""Issue #12: a depth-first batch built from rows already read is the batch read afresh.

A cut page (and a subtree batch) that meets the storage depth cap is put in
depth-first order by ``_depth_first``, which reads each flattened run whole.
It used to read the whole range again from the start; now it is handed the
rows the caller already has (the first rows of that range in path order) and
reads only what they lack. On random threads with a low cap, for every
viewer, from any row of a subtree (inside a run too, as a cursor continues),
with any prefix of the range already read and any limit: the batch is the
one read without them, lists no row twice, and from the subtree's start is the
memory store's batch.
"""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Connection, Engine
from sqlstore_backends import empty_tables
from threadkit_sqlalchemy import SqlCommentStore, _paging, _paths
from threadkit_sqlalchemy._rows import _C

from threadkit.memory import MemoryStore
from threadkit.models import Comment, Identity, Status, Visibility
from threadkit.testing.generate import generate_thread
from threadkit.testing.strategies import comment_forests

KEY = "reused"
VIEWERS = [
    Visibility(),
    Visibility(viewer_key=Identity("anonymous", "a1", "Ada").key),  # one of the forests' authors
    Visibility(moderator=True),
]
FORESTS = comment_forests(min_size=8, max_size=40, thread_key=KEY, chains=True, rich=False)


def _load(engine: Engine, rows: list[Comment], cap: int) -> tuple[SqlCommentStore, list[int]]:
    """A store holding ``rows`` alone, and their ids there."""
    empty_tables(engine)
    store = SqlCommentStore(engine, storage_depth_cap=cap)
    ids = store.bulk_load(KEY, rows)
    return store, [ids[row.id] for row in rows]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=FORESTS, cap=st.sampled_from([2, 3]), data=st.data())
def test_rows_already_read_give_the_batch_read_afresh(
    shared_engine: Engine, rows: list[Comment], cap: int, data: st.DataObject
) -> None:
    """``_depth_first`` with any path-order prefix of its range answers what it reads alone."""
    store, ids = _load(shared_engine, rows, cap)
    try:
        visibility = data.draw(st.sampled_from(VIEWERS), label="viewer")
        layout = data.draw(st.sampled_from([_paging._WHOLE, _paging._LEAN]), label="layout")

        def work(conn: Connection) -> tuple[list[Any], list[Any], int, str | None, int]:
            # A subtree's head is stored above the cap (one at the cap is read another way):
            # mostly the first comments (the tops, with big subtrees), any such comment too.
            heads = [
                row.id
                for row in conn.execute(sa.select(_C.id, _C.sdepth).order_by(_C.id))
                if row.sdepth < cap
            ]
            head_id = data.draw(
                st.one_of(st.sampled_from(heads[:2]), st.sampled_from(heads)), label="subtree of"
            )
            head = conn.execute(_paging._HEAD, {"comment_id": head_id}).one()
            high = head.path + _paths.END
            below = store._descendants(
                conn, head.thread_id, head.path, high, None, 10**6, select=_paging._SELECT_TREE
            )
            # Where the batch starts: the subtree's head, or any row under it (a cursor).
            low = data.draw(
                st.sampled_from([head.path, *(row[_paging._PATH] for row in below)]),
                label="after",
            )
            limit = data.draw(st.integers(0, 12), label="limit")
            ranged = store._descendants(
                conn, head.thread_id, low, high, visibility, 10**6, select=layout.select
            )
            # Any prefix, and often all of it (more rows than the batch wants, runs inside).
            length = st.one_of(st.just(len(ranged)), st.integers(0, len(ranged)))
            read = ranged[: data.draw(length, label="rows read")]
            alone = store._depth_first(conn, head.thread_id, low, high, visibility, limit, layout)
            given = store._depth_first(
                conn, head.thread_id, low, high, visibility, limit, layout, read
            )
            start = None if low == head.path else low
            return alone, given, head_id, start, limit

        alone, given_read, head_id, low, limit = store._read(work)
        assert [tuple(row) for row in given_read] == [tuple(row) for row in alone]
        listed = [row[0] for row in alone]
        assert len(set(listed)) == len(listed), "a row listed twice"
        if low is None:  # from the subtree's start: the memory store's depth-first batch
            memory = MemoryStore()
            in_memory = memory.bulk_load(KEY, rows)
            # The same comment's id in each store, by its position in ``rows``.
            same = {new: in_memory[row.id] for row, new in zip(rows, ids, strict=True)}
            batch = memory.subtree(same[head_id], visibility=visibility, total_limit=limit + 1)
            assert [same[row_id] for row_id in listed] == [c.id for c in batch.comments]
    finally:
        store.close()


def test_a_run_inside_the_rows_read_keeps_the_rows_after_it(shared_engine: Engine) -> None:
    """Rows read after a whole run are listed, not skipped, when the batch needs them.

    The top's first reply holds a flattened run (cap 2) of two replies; three more
    replies follow. With the whole range read and a batch of five, the run is put in
    order and the batch goes on with the rows read after it.
    """
    parents = {1: None, 2: 1, 3: 2, 4: 2, 5: 1, 6: 1, 7: 1}
    depths = {1: 0, 2: 1, 3: 2, 4: 2, 5: 1, 6: 1, 7: 1}
    shaped = [
        attrs.evolve(
            row,
            parent_id=parents[row.id],
            root_id=1,
            depth=depths[row.id],
            reply_count=sum(1 for parent in parents.values() if parent == row.id),
            status=Status.APPROVED,
        )
        for row in generate_thread(7, seed=1, thread_key=KEY)
    ]
    store, ids = _load(shared_engine, shaped, 2)
    try:

        def work(conn: Connection) -> list[int]:
            head = conn.execute(_paging._HEAD, {"comment_id": ids[0]}).one()
            high = head.path + _paths.END
            public, layout = Visibility(), _paging._WHOLE
            read = store._descendants(
                conn, head.thread_id, head.path, high, public, 99, select=layout.select
            )
            rows = store._depth_first(
                conn, head.thread_id, head.path, high, public, 4, layout, read
            )
            return [row[0] for row in rows]

        old_of = dict(zip(ids, (row.id for row in shaped), strict=True))
        assert [old_of[row_id] for row_id in store._read(work)] == [2, 3, 4, 5, 6]
    finally:
        store.close()
