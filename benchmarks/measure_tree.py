"""Measure the tree builder at big sizes and print Markdown table rows.

Run from the repository root::

    .venv/bin/python benchmarks/measure_tree.py                 # 1k, 10k, 100k, 1M
    .venv/bin/python benchmarks/measure_tree.py --sizes 100000  # just one size

For each size it generates the thread (seed 0), then for each row order
(store, path, shuffled) takes the best of several interleaved rounds of: the
dict-of-lists grouping floor with the GC on, the same with the GC paused,
and ``build_tree`` with its defaults. It then reports growth between sizes
(build and floor) and the peak memory a build allocates (tracemalloc, in a
separate run so tracing does not slow the timed ones), plus the process's
peak RSS. Numbers go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import platform
import resource
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from threadkit.models import Comment
from threadkit.testing.generate import depth_first, generate_thread, shuffled
from threadkit.tree import build_tree, count_nodes

ORDERS = ("store", "path", "shuffled")


def group(rows: Sequence[Comment]) -> dict[int | None, list[Comment]]:
    """Group rows by parent id: the floor."""
    groups: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in rows:
        groups[comment.parent_id].append(comment)
    return groups


def group_paused(rows: Sequence[Comment]) -> dict[int | None, list[Comment]]:
    """Group rows by parent id with the GC paused (as build_tree runs)."""
    gc.disable()
    try:
        return group(rows)
    finally:
        gc.enable()


def arrange(comments: list[Comment], order: str) -> list[Comment]:
    """Put a generated thread in one of :data:`ORDERS`."""
    if order == "store":
        by_root: dict[int, list[Comment]] = defaultdict(list)
        for comment in comments:
            by_root[comment.root_id].append(comment)
        return [c for root in sorted(by_root) for c in by_root[root]]
    if order == "path":
        return depth_first(comments)
    return shuffled(comments, seed=1)


def best(
    functions: Sequence[Callable[[Sequence[Comment]], object]], rows: Sequence[Comment], rounds: int
) -> list[float]:
    """Return each function's best wall time over interleaved rounds."""
    times = [float("inf")] * len(functions)
    for _ in range(rounds):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            result = function(rows)
            times[index] = min(times[index], time.perf_counter() - start)
            del result
    return times


def peak_build_memory(rows: Sequence[Comment]) -> int:
    """Return the peak bytes allocated while building (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    nodes = build_tree(rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(rows) == count_nodes(nodes)
    return peak


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds at 1M (more at smaller sizes)"
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{platform.machine()}, {platform.processor() or platform.platform()}"
    )
    print("| comments | order | floor, GC on | floor, GC paused | build_tree | build / floor |")
    print("|---:|---|---:|---:|---:|---:|")
    results: dict[tuple[int, str], tuple[float, float]] = {}
    memory: dict[int, int] = {}
    for n in sizes:
        start = time.perf_counter()
        comments = generate_thread(n, seed=0)
        generated = time.perf_counter() - start
        rounds = max(args.rounds, min(50, 3_000_000 // max(n, 1)))
        for order in ORDERS:
            rows = arrange(comments, order)
            floor_on, floor_off, build = best([group, group_paused, build_tree], rows, rounds)
            results[n, order] = (floor_off, build)
            print(
                f"| {n:,} | {order} | {floor_on * 1e3:,.1f} ms | {floor_off * 1e3:,.1f} ms "
                f"| {build * 1e3:,.1f} ms | {build / floor_off:.2f} |",
                flush=True,
            )
        memory[n] = peak_build_memory(arrange(comments, "store"))
        print(
            f"<!-- {n:,}: generated in {generated:.1f} s; best of {rounds} rounds -->", flush=True
        )
        del comments
    print()
    print("| growth | order | build_tree | floor (paused) |")
    print("|---|---|---:|---:|")
    for small, big in itertools.pairwise(sizes):
        for order in ORDERS:
            (f_small, b_small), (f_big, b_big) = results[small, order], results[big, order]
            print(
                f"| {small:,} → {big:,} ({big / small:g}x) | {order} | {b_big / b_small:.1f}x "
                f"| {f_big / f_small:.1f}x |"
            )
    print()
    print("| comments | peak allocated by build_tree (tracemalloc, store order) | per comment |")
    print("|---:|---:|---:|")
    for n, peak in memory.items():
        print(f"| {n:,} | {peak / 2**20:,.1f} MiB | {peak / n:.0f} B |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nProcess peak RSS (rows, all orders and trees included): {rss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
