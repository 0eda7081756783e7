"""The whole public thread, streamed lean (``iter_public_comments``), on every backend.

It must be, byte for byte, the public shapes of the comments a reader who is
nobody sees, built the ordinary way (``iter_thread`` + ``shape_of(...,
source=False)``), and carry nothing private.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.models import Comment, Identity, Status, Visibility
from threadkit.serialization import encode_comment_stream, shape_of, shapes
from threadkit.testing.generate import generate_rows

NOBODY = Visibility()
SECRET = "SECRET-source"


def reference(store: SqlCommentStore, key: str) -> bytes:
    """The same document built from whole comments, the ordinary way."""
    seen = [c for c in store.iter_thread(key) if NOBODY.can_see(c)]
    return msgspec.json.encode(shapes.CommentRows([shape_of(c, source=False) for c in seen], None))


def streamed(store: SqlCommentStore, key: str, batch_size: int = 5000) -> bytes:
    """The lean stream, joined."""
    return b"".join(encode_comment_stream(store.iter_public_comments(key, batch_size=batch_size)))


@pytest.mark.parametrize("batch_size", [1, 7, 5000])
def test_the_stream_is_the_public_shapes_of_what_nobody_sees(
    sql_store: SqlCommentStore, batch_size: int
) -> None:
    """Generated thread (pending, spam, placeholders, deep chains): the same bytes, any batch."""
    sql_store.bulk_load("gen", generate_rows(1500, seed=5))
    statuses = {c.status for c in sql_store.iter_thread("gen")}
    assert {Status.APPROVED, Status.PENDING, Status.SPAM, Status.DELETED} <= statuses
    assert reference(sql_store, "gen") == streamed(sql_store, "gen", batch_size)


def test_edited_verified_and_flattened_comments_stream_as_their_shapes(
    tmp_path: object,
) -> None:
    """Edited times, verified authors and rows stored past the depth cap (SQLite, cap 3)."""
    store = SqlCommentStore(f"sqlite:///{tmp_path}/cap.db", upgrade=True, storage_depth_cap=3)
    try:
        ada = Identity("github", "1", "Ada", "ada@example.org", "https://ada.example", None, True)
        start = datetime(2026, 1, 1, 12, 0, 0, 120000, tzinfo=UTC)
        rows = []
        for n in range(1, 13):
            rows.append(
                Comment(
                    n,
                    "cap",
                    None if n in (1, 9) else n - 1,
                    1,
                    0,
                    ada,
                    SECRET,
                    f"<p>{n}</p>",
                    Status.APPROVED,
                    start + timedelta(seconds=n),
                    start + timedelta(days=1) if n % 3 == 0 else None,
                    n,
                    1,
                )
            )
        store.bulk_load("cap", rows)
        body = streamed(store, "cap", batch_size=4)
        assert reference(store, "cap") == body
        assert SECRET.encode() not in body
        assert b"ada@example.org" not in body
        assert 12 == len(msgspec.json.decode(body)["comments"])
    finally:
        store.close()


def test_an_unknown_thread_streams_an_empty_document(sql_store: SqlCommentStore) -> None:
    """No thread: no rows, still one valid document."""
    assert b'{"comments":[],"next_cursor":null}' == streamed(sql_store, "nope")
