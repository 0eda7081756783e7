"""Benchmarks and CI guards for the tree builder.

The benchmarks (pytest-benchmark) time ``build_tree`` on generated threads
of several sizes in three row orders, next to the *grouping floor*: a plain
dict-of-lists grouping of the same rows by parent, the least work any tree
builder must do.

The guards compare two things measured in the same process, interleaved,
best of several rounds with ``time.perf_counter`` (never a fixed time, so a
slow machine does not fail them); a guard measures up to three times and
passes if one attempt is within its limit, so a burst of load from other
processes does not fail it either, while a real regression fails all three:

* building the tree costs at most 2.5x the grouping floor on the same rows
  in the orders stores return (``store``, ``path``); at most 4x on
  shuffled rows, which the builder first sorts by id (that sort alone costs
  about one floor);
* ten times the comments cost at most 12x the time, after correcting for
  how much the grouping floor itself grew (at 10k rows everything sits in
  the CPU cache, at 100k it does not: even the floor grows more than 10x);
* a 10,000-deep reply chain builds, walks and counts without RecursionError.
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from pytest_benchmark.fixture import BenchmarkFixture

from threadkit.models import Comment, Identity, Status
from threadkit.tree import build_tree, count_nodes, walk

GUARD_SMALL = 10_000
GUARD_BIG = 100_000
FLOOR_FACTOR = 2.5
#: Rows in random order are first sorted by id, which alone costs about one floor.
SHUFFLED_FLOOR_FACTOR = 4.0
GROWTH_LIMIT = 12.0
GUARD_ROUNDS = 9
ATTEMPTS = 3


def grouping_floor(rows: Sequence[Comment]) -> dict[int | None, list[Comment]]:
    """Group rows by parent id into a dict of lists, with the GC paused like build_tree."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        groups: dict[int | None, list[Comment]] = defaultdict(list)
        for comment in rows:
            groups[comment.parent_id].append(comment)
        return groups
    finally:
        if enabled:
            gc.enable()


def best_times(
    functions: Sequence[Callable[[Sequence[Comment]], object]],
    rows: Sequence[Comment],
    rounds: int = GUARD_ROUNDS,
) -> list[float]:
    """Return each function's best time on ``rows``, rounds interleaved, after a warm-up."""
    for function in functions:
        function(rows)
    best = [float("inf")] * len(functions)
    for _ in range(rounds):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            result = function(rows)
            elapsed = time.perf_counter() - start
            del result
            best[index] = min(best[index], elapsed)
    return best


# ---------------------------------------------------------------- benchmarks


RowsOf = Callable[[str, int], list[Comment]]


def test_build_tree(
    benchmark: BenchmarkFixture,
    bench_rows: RowsOf,
    bench_rounds: int,
    bench_order: str,
    bench_n: int,
) -> None:
    """Time build_tree (defaults: oldest first, depth limit 5, FLATTEN) on n rows."""
    rows = bench_rows(bench_order, bench_n)
    benchmark.group = f"tree, {bench_n} comments"
    nodes = benchmark.pedantic(  # type: ignore[no-untyped-call]  # untyped in pytest-benchmark
        build_tree, args=(rows,), rounds=bench_rounds, warmup_rounds=1
    )
    assert bench_n == count_nodes(nodes)


def test_grouping_floor(
    benchmark: BenchmarkFixture,
    bench_rows: RowsOf,
    bench_rounds: int,
    bench_order: str,
    bench_n: int,
) -> None:
    """Time the dict-of-lists grouping floor on the same rows."""
    rows = bench_rows(bench_order, bench_n)
    benchmark.group = f"tree, {bench_n} comments"
    groups = benchmark.pedantic(  # type: ignore[no-untyped-call]  # untyped in pytest-benchmark
        grouping_floor, args=(rows,), rounds=bench_rounds, warmup_rounds=1
    )
    assert bench_n == sum(len(group) for group in groups.values())


# ---------------------------------------------------------------- CI guards


def test_guard_build_within_floor_factor(bench_rows: RowsOf, bench_order: str) -> None:
    """Guard: a 100k-comment tree costs at most 2.5x the grouping floor (4x if shuffled)."""
    order = bench_order
    limit = SHUFFLED_FLOOR_FACTOR if order == "shuffled" else FLOOR_FACTOR
    rows = bench_rows(order, GUARD_BIG)
    attempts = []
    for _ in range(ATTEMPTS):  # a busy machine can spoil one attempt, not a real regression
        floor, build = best_times([grouping_floor, build_tree], rows)
        attempts.append(
            f"build {build * 1e3:.1f} ms / floor {floor * 1e3:.1f} ms = {build / floor:.2f}"
        )
        if build / floor <= limit:
            break
    print(f"{order}: " + "; ".join(attempts))
    assert build / floor <= limit, (
        f"tree build / grouping floor ratio {build / floor:.2f} exceeds {limit} "
        f"({order} order, {GUARD_BIG} rows; every attempt: {'; '.join(attempts)})"
    )


def test_guard_build_grows_linearly(bench_rows: RowsOf) -> None:
    """Guard: 10x the comments cost at most 12x the time (floor-corrected)."""
    small_rows = bench_rows("store", GUARD_SMALL)
    big_rows = bench_rows("store", GUARD_BIG)
    attempts = []
    for _ in range(ATTEMPTS):
        small_floor, small_build = best_times([grouping_floor, build_tree], small_rows, 40)
        big_floor, big_build = best_times([grouping_floor, build_tree], big_rows)
        floor_growth = big_floor / small_floor
        build_growth = big_build / small_build
        # Growth beyond 10x that the floor shows too comes from the machine (caches).
        corrected = build_growth * 10 / max(floor_growth, 10.0)
        attempts.append(
            f"build {small_build * 1e3:.1f} -> {big_build * 1e3:.1f} ms = {build_growth:.1f}x, "
            f"floor {small_floor * 1e3:.1f} -> {big_floor * 1e3:.1f} ms = {floor_growth:.1f}x, "
            f"corrected {corrected:.1f}x"
        )
        if corrected <= GROWTH_LIMIT:
            break
    print("; ".join(attempts))
    assert corrected <= GROWTH_LIMIT, (
        f"growth ratio {corrected:.1f}x for 10x the comments exceeds {GROWTH_LIMIT}x "
        f"(every attempt: {'; '.join(attempts)})"
    )


def test_guard_deep_chain_has_no_recursion() -> None:
    """Guard: a 10,000-deep chain builds, walks and counts without RecursionError."""
    author = Identity("anonymous", "a", "Ada")
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    chain = [
        Comment(i, "deep", i - 1 if i > 1 else None, 1, i - 1, author, "x", "<p>x</p>",
                Status.APPROVED, moment, reply_count=1 if i < 10_000 else 0)
        for i in range(1, 10_001)
    ]  # fmt: skip
    for rows in (chain, chain[::-1]):
        nodes = build_tree(rows, max_depth=None)
        assert 10_000 == count_nodes(nodes)
        assert 9_999 == max(node.depth for node in walk(nodes))
