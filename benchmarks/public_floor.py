"""The floor of streaming a thread's public comments out of SQLite: plain ``sqlite3`` + msgspec.

Shared by ``test_sql_bench.py`` (its CI guard) and ``measure_million.py``:
the least work any path from a SQLite file to the public JSON of a thread
does. It selects the public columns of the rows a reader who is nobody sees
(approved comments and placeholders) in path order (depth first, as a
thread is shown), ``fetchmany(5000)``, makes each row a plain dict keyed by
column name and encodes each batch with ``msgspec.json.encode``. No
timestamps are converted, no authors nested, no placeholder blanked: that
is the work the real paths do on top.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec

PUBLIC_COLUMNS = (
    "id",
    "parent_id",
    "root_id",
    "depth",
    "author_provider",
    "author_name",
    "author_url",
    "author_avatar",
    "author_verified",
    "body_html",
    "status",
    "created_at",
    "edited_at",
    "upvotes",
    "downvotes",
    "reply_count",
)


def floor_streamed(path: Path, thread_key: str) -> int:
    """Stream the thread's visible rows to JSON batches; return the bytes written."""
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT id FROM tk_threads WHERE key = ?", (thread_key,)).fetchone()
        cursor = conn.execute(
            f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM tk_comments"
            " WHERE thread_id = ? AND status IN ('approved', 'deleted') ORDER BY path",
            (row[0],),
        )
        encode = msgspec.json.encode
        size = 0
        while batch := cursor.fetchmany(5000):
            size += len(
                encode([dict(zip(PUBLIC_COLUMNS, values, strict=True)) for values in batch])
            )
        return size
    finally:
        conn.close()
