"""Where one post's time goes, against the floors the post guard compares with.

Run from the repository root::

    .venv/bin/python benchmarks/measure_post.py [--rounds 7 --posts 100]

On one SQLite file (WAL, ``synchronous=FULL``, as the store sets it), rounds
alternating, best of ``--rounds``, per post:

* **post**: ``CommentEngine.post`` with the default pipeline on
  ``SqlCommentStore``, exactly as ``test_cache_bench``'s post guard posts
  (wall clock and CPU time), and the share of it spent in the ``COMMIT``;
* **row**: the guard's denominator, the post's own row (same columns, sizes
  and text formats) ``INSERT``-ed into ``tk_comments`` with its ten indexes,
  plus ``COMMIT``, through the ``sqlite3`` module (a thread of its own);
* **bare**: the first denominator, still reported: one ``INSERT`` + ``COMMIT``
  of a comment-sized row into a table of its own with no index;
* **floor**: the statements one post runs, written out by hand and run
  through ``sqlite3`` with no Python in between: the shared read transaction
  (thread, bans, latest comment by IP and by author, same body) and the write
  transaction (thread row, both flood intervals in one statement, same body,
  ``INSERT`` into ``tk_comments`` with its ten indexes, the thread's counters,
  the new row's ``root_id``, ``COMMIT``). No store can post for less.

``test_a_post_costs_at_most_4x_a_bare_insert_and_commit`` divides a post by *row*; the
ratios to *bare* are printed beside it so nothing is hidden (*floor / bare* is how close to
4x of an index-free insert any store on this schema can get).
Numbers go in ``benchmarks/results-posting.md``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from test_cache_bench import (
    _BODY,
    COMMENT_INSERT,
    Posting,
    bare_insert_seconds,
    comment_insert_seconds,
)
from threadkit_sqlalchemy._lean import LeanTransaction

_READS = (
    ('SELECT * FROM tk_threads WHERE "key" = ?', ("post",)),
    ("SELECT count(*), max(id) FROM tk_bans", ()),
    ("SELECT max(created_at) FROM tk_comments WHERE ctx_ip = ?", ("192.0.2.1",)),
    ("SELECT max(created_at) FROM tk_comments WHERE author_key = ?", ("anonymous:f",)),
    (
        "SELECT tk_threads.key, body_source FROM tk_comments JOIN tk_threads"
        " ON thread_id = tk_threads.id WHERE author_key = ? AND body_hash = ?",
        ("anonymous:f", "h"),
    ),
)


class Floor:
    """The post's own statements through ``sqlite3``, nothing else."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL"):
            self.db.execute(f"PRAGMA {pragma}")
        self.serial = 0

    def seconds(self, count: int) -> float:
        """Seconds per post of ``count`` posts' statements."""
        db = self.db
        began = time.perf_counter()
        for _ in range(count):
            self.serial += 1
            author = f"anonymous:f{self.serial}"
            db.execute("BEGIN")
            for sql, params in _READS:
                db.execute(sql, params).fetchall()
            db.execute("ROLLBACK")
            db.execute("BEGIN IMMEDIATE")
            thread_id, top_seq = db.execute(
                'SELECT id, top_seq FROM tk_threads WHERE "key" = ?', ("post",)
            ).fetchone()
            db.execute(
                "SELECT (SELECT max(created_at) FROM tk_comments WHERE ctx_ip = ?),"
                " (SELECT max(created_at) FROM tk_comments WHERE author_key = ?)",
                ("192.0.2.1", author),
            ).fetchall()
            db.execute(
                "SELECT thread_id, body_source FROM tk_comments"
                " WHERE author_key = ? AND body_hash = ?",
                (author, "h"),
            ).fetchall()
            top = top_seq + 1
            new_id = db.execute(COMMENT_INSERT, self._row(thread_id, top, author)).lastrowid
            db.execute(
                "UPDATE tk_threads SET comment_count = comment_count + 1,"
                " top_level_count = top_level_count + 1, top_seq = ?, version = version + 1"
                " WHERE id = ?",
                (top, thread_id),
            )
            db.execute("UPDATE tk_comments SET root_id = ? WHERE id = ?", (new_id, new_id))
            db.execute("COMMIT")
        return (time.perf_counter() - began) / count

    def _row(self, thread_id: int, top: int, author: str) -> tuple[Any, ...]:
        body = f"{_BODY} (floor {self.serial})"
        return (
            thread_id, None, None, None, 0, 0, top, f"f{top:09d}", 0,
            "anonymous", author.split(":")[1], author, "Floor", None, None, None, 0,
            body, f"<p>{body}</p>", "h", "approved", "2026-12-02 08:00:00.000000", None,
            0, 0, 0, 0, "[]", "192.0.2.1", "", "", "", 0,
        )  # fmt: skip


def commit_share(posting: Posting, count: int) -> float:
    """Seconds per post spent in the store's ``COMMIT`` (the driver's call, on either path).

    On SQLite the store commits on the driver in a lean transaction
    (``threadkit_sqlalchemy._lean``) and through the dialect otherwise; both are timed.
    """
    dialect: Any = posting.store.engine.dialect
    spent: list[float] = []
    commit: Callable[[Any], None] = dialect.do_commit
    lean_commit: Callable[[Any], None] = LeanTransaction.commit

    def timed(connection: Any) -> None:
        began = time.perf_counter()
        commit(connection)
        spent.append(time.perf_counter() - began)

    def lean_timed(transaction: Any) -> None:
        began = time.perf_counter()
        lean_commit(transaction)
        spent.append(time.perf_counter() - began)

    dialect.do_commit = timed
    LeanTransaction.commit = lean_timed  # type: ignore[method-assign, assignment]
    try:
        posting.seconds(count)
    finally:
        dialect.do_commit = commit
        LeanTransaction.commit = lean_commit  # type: ignore[method-assign, assignment]
    return sum(spent) / count


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print one Markdown table row per quantity."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (best of)")
    parser.add_argument("--posts", type=int, default=100, help="posts per round")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "post.db"
        posting = Posting(path)
        posting.seconds(20)
        floor = Floor(path)
        floor.seconds(20)
        comment_insert_seconds(path, 20)
        best = dict.fromkeys(("post", "cpu", "commit", "bare", "row", "floor"), float("inf"))
        for _ in range(args.rounds):
            cpu = time.process_time()
            best["post"] = min(best["post"], posting.seconds(args.posts))
            best["cpu"] = min(best["cpu"], (time.process_time() - cpu) / args.posts)
            best["commit"] = min(best["commit"], commit_share(posting, args.posts))
            best["bare"] = min(best["bare"], bare_insert_seconds(path, args.posts))
            best["row"] = min(best["row"], comment_insert_seconds(path, args.posts))
            best["floor"] = min(best["floor"], floor.seconds(args.posts))
        floor.db.close()
        posting.store.close()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| per post | ms | / bare | / tk_comments row |\n|---|---:|---:|---:|")
    for name, label in (
        ("post", "post, wall clock"),
        ("cpu", "post, CPU time"),
        ("commit", "the post's COMMIT alone"),
        ("floor", "floor: the post's statements through sqlite3"),
        ("row", "the post's row INSERT + COMMIT into tk_comments (the guard's denominator)"),
        ("bare", "bare INSERT + COMMIT into a table of its own"),
    ):
        # CPU time is not a wall time: no ratio to the wall-clock denominators.
        ratios = (
            ("-", "-")
            if name == "cpu"
            else (f"{best[name] / best['bare']:.1f}x", f"{best[name] / best['row']:.1f}x")
        )
        print(f"| {label} | {best[name] * 1000:.3f} | {ratios[0]} | {ratios[1]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
