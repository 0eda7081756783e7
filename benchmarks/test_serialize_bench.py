"""Encoding a 10,000-comment page: the fast encoder against the cattrs reference.

Deterministic data (seeded). ``test_fast_encoder_beats_reference`` is the
guard: both encoders measured in the same run, the fast one must win.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from threadkit.models import Comment, Identity, SortOrder, Status, Thread
from threadkit.pages import ThreadPage
from threadkit.serialization import encode_page, to_public
from threadkit.tree import TreeNode

COMMENTS = 10_000
TOP_LEVEL = 200
MAX_DISPLAY_DEPTH = 5
WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dogs",
    "while",
    "ünïcödé",
    "👍🏽",
    "readers",
    "reply",
]


def build_page(count: int, seed: int = 20261125) -> ThreadPage:
    """Build a page of ``count`` comments under ``TOP_LEVEL`` roots, seeded and realistic."""
    rng = random.Random(seed)
    authors = [
        Identity("github", str(i), f"Reader {i}", f"r{i}@example.org", f"https://r{i}.example")
        for i in range(300)
    ]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    nodes: list[TreeNode] = []
    top: list[TreeNode] = []
    for i in range(1, count + 1):
        parent = None if i <= TOP_LEVEL else rng.choice(nodes[-400:])
        words = " ".join(rng.choices(WORDS, k=rng.randint(5, 60)))
        comment = Comment(
            id=i,
            thread_key="post-1",
            parent_id=None if parent is None else parent.comment.id,
            root_id=i if parent is None else parent.comment.root_id,
            depth=0 if parent is None else parent.comment.depth + 1,
            author=rng.choice(authors),
            body_source=words,
            body_html=f"<p>{words}</p>",
            status=Status.DELETED if rng.random() < 0.02 else Status.APPROVED,
            created_at=start + timedelta(seconds=i, microseconds=rng.randrange(1_000_000)),
            edited_at=start + timedelta(days=1) if rng.random() < 0.1 else None,
            upvotes=rng.randrange(50),
            downvotes=rng.randrange(10),
        )
        depth = 0 if parent is None else min(parent.depth + 1, MAX_DISPLAY_DEPTH)
        node = TreeNode(comment, depth)
        (top if parent is None else parent.children).append(node)
        nodes.append(node)
    thread = Thread(
        "post-1", start, "A busy post", "https://blog.example/p", False, count, TOP_LEVEL
    )
    return ThreadPage(thread, top, SortOrder.OLDEST, "next")


def reference(page: ThreadPage) -> bytes:
    """Encode with the reference path: cattrs unstructure, then msgspec on plain dicts."""
    return msgspec.json.encode(to_public(page))


@pytest.fixture(scope="module")
def page() -> ThreadPage:
    """Build the 10,000-comment page once for the module."""
    return build_page(COMMENTS)


def test_encode_page_fast(benchmark: BenchmarkFixture, page: ThreadPage) -> None:
    """Benchmark the fast encoder on a 10,000-comment page."""
    result = benchmark.pedantic(encode_page, args=(page,), rounds=10, warmup_rounds=1)  # type: ignore[no-untyped-call]
    assert reference(page) == result


def test_encode_page_reference(benchmark: BenchmarkFixture, page: ThreadPage) -> None:
    """Benchmark the cattrs reference on the same page."""
    result = benchmark.pedantic(reference, args=(page,), rounds=3, warmup_rounds=1)  # type: ignore[no-untyped-call]
    assert encode_page(page) == result


def best_cpu_time(encode: Callable[[ThreadPage], bytes], page: ThreadPage, repeat: int) -> float:
    """Return the least CPU time of ``repeat`` runs (CPU time: the machine is shared)."""
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        encode(page)
        best = min(best, time.process_time() - began)
    return best


def test_fast_encoder_beats_reference(page: ThreadPage) -> None:
    """Guard: in the same run the fast encoder takes less CPU time than the reference."""
    fast = best_cpu_time(encode_page, page, repeat=5)
    slow = best_cpu_time(reference, page, repeat=3)
    assert fast < slow, (
        f"fast {fast * 1e6 / COMMENTS:.2f} µs, reference {slow * 1e6 / COMMENTS:.2f} µs a comment"
    )
