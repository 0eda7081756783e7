"""Shared data and settings for the benchmarks.

Plain ``pytest benchmarks/`` (and plain ``pytest``, whose testpaths include
this folder) runs in *fast mode*: small sizes, few rounds, and the CI guards,
in well under a minute. ``THREADKIT_BENCH_FULL=1 pytest benchmarks/`` adds the
one-million-comment size and more rounds; pytest-benchmark's own options
(``--benchmark-autosave``, ``--benchmark-compare``, ``--benchmark-only``...)
work as usual. Data comes from :mod:`threadkit.testing.generate`, seeded, so
every run measures the same threads.
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from collections.abc import Callable

import pytest

from threadkit.models import Comment
from threadkit.testing.generate import depth_first, generate_thread, shuffled

FULL = os.environ.get("THREADKIT_BENCH_FULL") == "1"
#: Sizes the benchmarks run at (the guards use their own, fixed sizes).
SIZES = (10_000, 100_000, 1_000_000) if FULL else (10_000, 100_000)
#: Timed rounds per benchmark (after one warm-up round).
ROUNDS = 10 if FULL else 3
#: Row orders: what CommentStore.page returns, a path-sorted store, and no order at all.
ORDERS = ("store", "path", "shuffled")


def pytest_configure(config: pytest.Config) -> None:
    """Show pytest-benchmark's warnings instead of failing on them.

    The project runs with ``filterwarnings = error``; pytest-benchmark warns
    about things that are not test failures (benchmarks disabled under
    xdist, a saved baseline from another machine), so those stay warnings.
    """
    config.addinivalue_line(
        "filterwarnings", "default::pytest_benchmark.logger.PytestBenchmarkWarning"
    )


@functools.cache
def thread(n: int) -> tuple[Comment, ...]:
    """Return the generated thread of ``n`` comments (seed 0), in id order."""
    return tuple(generate_thread(n, seed=0, thread_key=f"bench-{n}"))


@functools.cache
def rows_in(order: str, n: int) -> list[Comment]:
    """Return the thread of ``n`` comments in one of :data:`ORDERS`.

    ``store``: top-level comments oldest first, each followed by its
    descendants in creation order, as ``CommentStore.page`` returns them.
    ``path``: depth-first (a store sorting by a path column). ``shuffled``:
    random, seeded.
    """
    comments = thread(n)
    if order == "store":
        by_root: dict[int, list[Comment]] = defaultdict(list)
        for comment in comments:
            by_root[comment.root_id].append(comment)
        return [comment for root in sorted(by_root) for comment in by_root[root]]
    if order == "path":
        return depth_first(comments)
    if order == "shuffled":
        return shuffled(comments, seed=1)
    raise ValueError(f"unknown order {order!r}")


def size_id(n: int) -> str:
    """Name a size for test ids: 10k, 100k, 1M."""
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every benchmark asking for ``bench_n`` / ``bench_order`` at each size / order."""
    if "bench_n" in metafunc.fixturenames:
        metafunc.parametrize("bench_n", SIZES, ids=size_id)
    if "bench_order" in metafunc.fixturenames:
        metafunc.parametrize("bench_order", ORDERS)


@pytest.fixture
def bench_rows() -> Callable[[str, int], list[Comment]]:
    """Return :func:`rows_in`: generated rows by order and size, cached per session."""
    return rows_in


@pytest.fixture
def bench_rounds() -> int:
    """Return how many timed rounds a benchmark runs (:data:`ROUNDS`)."""
    return ROUNDS
