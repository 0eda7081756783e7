"""SQL store paging on SQLite: a page costs what the page holds, not what the thread holds.

Two SQLite databases are built with ``SqlCommentStore.bulk_load`` from the
shared seeded generator (``threadkit.testing.generate``): a ``SMALL`` thread
of 1,000 comments and a ``LARGE`` one of 100,000 (1,000,000 with
``THREADKIT_BENCH_FULL=1``). Each measurement fetches one page (20 top-level
comments, at most 500 comments in all, oldest first) and builds it into a
tree with ``threadkit.tree.build_tree``, as the engine does.

Guards compare two things measured in the same run (best of ``ROUNDS``
alternating rounds, ``time.perf_counter``):

* page 1 of the large thread is within 1.5x of page 1 of the small thread;
* the last page of the large thread is within 1.5x of its first page, and so
  is its last *full* page (at least 400 comments), far into the thread;
* the whole large thread streamed lean to public JSON
  (``iter_public_comments`` + ``encode_comment_stream``) costs at most 1.5x
  the floor of plain ``sqlite3`` + msgspec on the same file
  (``public_floor.py``; issue 12), CPU time, best of ``STREAM_ROUNDS``
  alternating rounds.

The pytest-benchmark tests report the same pages (and the other sort
orders, and the whole large thread streamed with ``iter_thread`` and built)
for the record; ``benchmarks/results-sql.md`` keeps measured numbers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from public_floor import floor_streamed
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.models import SortOrder, Visibility
from threadkit.serialization import encode_comment_stream
from threadkit.testing.generate import generate_rows
from threadkit.tree import build_tree, count_nodes

FULL = os.environ.get("THREADKIT_BENCH_FULL") == "1"
SMALL = 1_000
LARGE = 1_000_000 if FULL else 100_000
SEED = 20260301
TOP_LIMIT = 20
TOTAL_LIMIT = 500
RATIO_LIMIT = 1.5
ROUNDS = 40
ATTEMPTS = 3  # a guard is re-measured (not relaxed) when a noisy neighbour spoils a run
STREAM_LIMIT = 1.5  # issue 12: the whole thread streamed to JSON <= 1.5x the floor
STREAM_ROUNDS = 2
EVERYONE = Visibility()
THREAD = "bench"


def build_store(path: Path, size: int) -> SqlCommentStore:
    """Create a SQLite store at ``path`` holding one generated thread of ``size`` comments."""
    store = SqlCommentStore(f"sqlite:///{path}", upgrade=True)
    store.bulk_load(THREAD, generate_rows(size, seed=SEED))
    return store


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlCommentStore]:
    """The store holding the 1,000-comment thread."""
    store = build_store(tmp_path_factory.mktemp("sql-bench") / "small.db", SMALL)
    yield store
    store.close()


@pytest.fixture(scope="module")
def large_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the large thread's SQLite file lives."""
    return tmp_path_factory.mktemp("sql-bench") / "large.db"


@pytest.fixture(scope="module")
def large(large_path: Path) -> Iterator[SqlCommentStore]:
    """The store holding the large thread."""
    store = build_store(large_path, LARGE)
    yield store
    store.close()


def fetch_and_build(
    store: SqlCommentStore, cursor: str | None = None, sort: SortOrder = SortOrder.OLDEST
) -> int:
    """Fetch one page and build its tree; return how many comments it holds."""
    rows = store.page(
        THREAD,
        sort=sort,
        visibility=EVERYONE,
        cursor=cursor,
        top_limit=TOP_LIMIT,
        total_limit=TOTAL_LIMIT,
    )
    nodes = build_tree(rows.comments, sort=sort)
    return count_nodes(nodes)


@pytest.fixture(scope="module")
def far_cursors(large: SqlCommentStore) -> tuple[str, str]:
    """Walk every page of the large thread; return cursors to its last full page and last page.

    A full page holds at least 400 comments: the last one sits far into the
    thread (its top-level comments are among the newest) yet costs what page
    1 costs. The very last page is usually short.
    """
    cursor: str | None = None
    last_full: str | None = None
    while True:
        rows = large.page(
            THREAD,
            sort=SortOrder.OLDEST,
            visibility=EVERYONE,
            cursor=cursor,
            top_limit=TOP_LIMIT,
            total_limit=TOTAL_LIMIT,
        )
        if cursor is not None and len(rows.comments) >= 400:
            last_full = cursor
        if rows.next_cursor is None:
            assert cursor is not None
            assert last_full is not None
            return last_full, cursor
        cursor = rows.next_cursor


def best_pair(first: Callable[[], object], second: Callable[[], object]) -> tuple[float, float]:
    """Time both callables in alternating rounds; return the best time of each (seconds)."""
    first()
    second()
    best = [float("inf"), float("inf")]
    for _ in range(ROUNDS):
        for index, work in enumerate((first, second)):
            began = time.perf_counter()
            work()
            best[index] = min(best[index], time.perf_counter() - began)
    return best[0], best[1]


def guarded_ratio(first: Callable[[], object], second: Callable[[], object]) -> tuple[float, str]:
    """Return ``second / first`` (best times), re-measuring up to ATTEMPTS times while over."""
    ratio = float("inf")
    line = ""
    for _ in range(ATTEMPTS):
        a, b = best_pair(first, second)
        ratio = b / a
        line = f"{a * 1e3:.2f} ms vs {b * 1e3:.2f} ms: {ratio:.2f}x (limit {RATIO_LIMIT}x)"
        if ratio <= RATIO_LIMIT:
            break
    print(line)
    return ratio, line


# ------------------------------------------------------------------ guards


def test_first_page_of_a_large_thread_costs_what_a_small_threads_does(
    small: SqlCommentStore, large: SqlCommentStore
) -> None:
    """Page 1 (fetch + build) of the large thread is within 1.5x of page 1 of 1,000 comments."""
    ratio, line = guarded_ratio(lambda: fetch_and_build(small), lambda: fetch_and_build(large))
    assert ratio <= RATIO_LIMIT, f"page 1, {SMALL:,} vs {LARGE:,} comments: {line}"


def test_last_page_costs_what_the_first_page_does(
    large: SqlCommentStore, far_cursors: tuple[str, str]
) -> None:
    """The last page of the large thread is within 1.5x of its first page."""
    last = far_cursors[1]
    ratio, line = guarded_ratio(
        lambda: fetch_and_build(large), lambda: fetch_and_build(large, last)
    )
    assert ratio <= RATIO_LIMIT, f"first vs last page of {LARGE:,} comments: {line}"


def test_last_full_page_costs_what_the_first_page_does(
    large: SqlCommentStore, far_cursors: tuple[str, str]
) -> None:
    """The last full page (>= 400 comments), far into the large thread, is within 1.5x of page 1."""
    deep = far_cursors[0]
    ratio, line = guarded_ratio(
        lambda: fetch_and_build(large), lambda: fetch_and_build(large, deep)
    )
    assert ratio <= RATIO_LIMIT, f"first vs last full page of {LARGE:,} comments: {line}"


def test_pages_hold_what_the_limits_allow(small: SqlCommentStore, large: SqlCommentStore) -> None:
    """The measured pages are full pages (so the comparisons compare like with like)."""
    assert (True, True) == (fetch_and_build(small) > 400, fetch_and_build(large) > 400)


def streamed_lean(store: SqlCommentStore) -> int:
    """The whole public thread streamed lean to JSON; return the bytes written."""
    return sum(len(chunk) for chunk in encode_comment_stream(store.iter_public_comments(THREAD)))


def test_the_whole_thread_streams_lean_within_1_5x_plain_sqlite(
    large: SqlCommentStore, large_path: Path
) -> None:
    """Guard: the lean public stream of the large thread costs at most 1.5x the floor's CPU."""
    streamed_lean(large)  # warm: statement caches, the file in the OS cache
    floor_streamed(large_path, THREAD)
    seen: list[str] = []
    for _ in range(ATTEMPTS):
        best = [float("inf"), float("inf")]
        for _ in range(STREAM_ROUNDS):
            for index, work in enumerate(
                (lambda: streamed_lean(large), lambda: floor_streamed(large_path, THREAD))
            ):
                began = time.process_time()
                work()
                best[index] = min(best[index], time.process_time() - began)
        seen.append(f"{best[0]:.2f} s / {best[1]:.2f} s = {best[0] / best[1]:.2f}x")
        if best[0] <= STREAM_LIMIT * best[1]:
            break
    line = f"lean stream / floor, {LARGE:,} comments, CPU: " + ", ".join(seen)
    print(line)
    assert best[0] <= STREAM_LIMIT * best[1], f"{line} (limit {STREAM_LIMIT}x)"


# ------------------------------------------------------------------ reported numbers


def test_bench_page1_small_thread(benchmark: Any, small: SqlCommentStore) -> None:
    """Report: page 1 of the 1,000-comment thread, fetched and built."""
    count = benchmark(fetch_and_build, small)
    benchmark.extra_info["comments"] = count


def test_bench_last_full_page_large_thread(
    benchmark: Any, large: SqlCommentStore, far_cursors: tuple[str, str]
) -> None:
    """Report: the last full page of the large thread, fetched and built."""
    count = benchmark(fetch_and_build, large, far_cursors[0])
    benchmark.extra_info["comments"] = count


def test_bench_page1_large_thread(benchmark: Any, large: SqlCommentStore) -> None:
    """Report: page 1 of the large thread, fetched and built."""
    count = benchmark(fetch_and_build, large)
    benchmark.extra_info["comments"] = count


def test_bench_last_page_large_thread(
    benchmark: Any, large: SqlCommentStore, far_cursors: tuple[str, str]
) -> None:
    """Report: the last page of the large thread, fetched and built."""
    count = benchmark(fetch_and_build, large, far_cursors[1])
    benchmark.extra_info["comments"] = count


@pytest.mark.parametrize("sort", [SortOrder.NEWEST, SortOrder.TOP], ids=["newest", "top"])
def test_bench_page1_large_thread_other_orders(
    benchmark: Any, large: SqlCommentStore, sort: SortOrder
) -> None:
    """Report: page 1 of the large thread newest first and by score."""
    count = benchmark(fetch_and_build, large, None, sort)
    benchmark.extra_info["comments"] = count


def test_bench_whole_large_thread_per_row(benchmark: Any, large: SqlCommentStore) -> None:
    """Report: the whole large thread streamed with iter_thread and built, time per row."""

    def whole() -> int:
        comments = list(large.iter_thread(THREAD))
        return count_nodes(build_tree(comments, max_depth=None))

    count = benchmark.pedantic(whole, rounds=1, iterations=1, warmup_rounds=0)
    benchmark.extra_info["comments"] = count
    if benchmark.stats is not None:  # None under --benchmark-disable (run once, untimed)
        per_row = benchmark.stats.stats.min / count * 1e6
        benchmark.extra_info["us_per_row"] = round(per_row, 2)
        print(f"whole thread of {count:,} comments: {per_row:.1f} us per row (fetch + build)")
    assert LARGE == count
