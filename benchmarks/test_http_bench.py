"""Serving the first page of a thread through the Flask adapter, as JSON and as HTML.

Two generated threads (1,000 and 10,000 comments, seeded) sit in one SQLite
file (``SqlCommentStore``, bulk-loaded). Each is served two ways: the JSON API
(``GET /comments/api/threads/<key>``) and a host page that renders the whole
comment section server-side (``{{ threadkit.thread(key) }}``). Both are
measured (a) through Flask's test client and (b) over HTTP from
``http.client`` to a threaded werkzeug server on 127.0.0.1 (random port,
stopped at the end), in bounded loops: ``REQUESTS`` requests or ``BUDGET``
seconds, whichever comes first. The tables (requests per second, p50 / p95 /
p99 latency) print with ``pytest -s``; ``THREADKIT_BENCH_FULL=1`` runs the
long loops (200 requests, 5 s) used for ``results-http.md``.

The guard compares two things measured in the same run: the JSON first page of
the 10,000-comment thread costs at most twice the JSON first page of the
1,000-comment thread (a page's cost depends on the page, not the thread).
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from threadkit.cache import NoPageCache
from threadkit.engine import CommentEngine
from threadkit.testing.generate import generate_rows
from threadkit.testing.http_server import serve_in_thread

threadkit_flask = pytest.importorskip("threadkit_flask")
threadkit_sqlalchemy = pytest.importorskip("threadkit_sqlalchemy")

FULL = os.environ.get("THREADKIT_BENCH_FULL") == "1"
REQUESTS = 200 if FULL else 15
BUDGET = 5.0 if FULL else 0.4  # seconds per loop, whichever ends first
GUARD_ROUNDS = 7 if FULL else 5
# The exact "N more replies" counts (issue 15) read the cut first top-level comment's
# subtree once more. Since issue 12 that read starts after the page (the store's
# cut_cursor) and reads one batch (500 rows at the default total_limit) instead of the
# page's rows again plus a batch (999 rows), which had raised this limit to 2.5 for a day.
COST_LIMIT = 2.0
GUARD_TRIES = 3  # a guard measures again before it fails (the machine is shared)
SIZES = {"thread-1k": 1_000, "thread-10k": 10_000}
HOST_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>{{ key }}</title>"
    "<article><h1>A busy post</h1><p>Text of the post.</p></article>"
    "{{ threadkit.thread(key, title='A busy post') }}</html>"
)


def json_path(key: str) -> str:
    """Return the JSON API path of a thread's first page."""
    return f"/comments/api/threads/{key}"


def html_path(key: str) -> str:
    """Return the host page that renders a thread's comment section."""
    return f"/posts/{key}"


def make_app(store: Any) -> Flask:
    """Build a small host app: threadkit on ``store`` plus one blog-post route."""
    app = Flask(__name__)
    app.secret_key = "benchmark-secret"
    # Reads only: the engine's empty moderation pipeline is a deliberate choice here.
    app.config["THREADKIT_ALLOW_EMPTY_PIPELINE"] = True
    # Uncached on purpose: these benchmarks measure building a page (test_cache_bench.py
    # measures the page cache).
    threadkit_flask.ThreadKit(app, engine=CommentEngine(store), page_cache=NoPageCache())

    @app.get("/posts/<key>")
    def blog_post(key: str) -> str:
        return render_template_string(HOST_PAGE, key=key)

    return app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """Load both generated threads into one SQLite file and build the app on it."""
    path = tmp_path_factory.mktemp("http") / "comments.db"
    store = threadkit_sqlalchemy.SqlCommentStore(f"sqlite:///{path}", upgrade=True)
    for seed, (key, size) in enumerate(SIZES.items(), start=1):
        store.bulk_load(key, generate_rows(size, seed=seed))
    yield make_app(store)
    store.close()


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    """Return a test client of the app."""
    return app.test_client()


class Timing:
    """Latencies (seconds) of one bounded request loop, and its wall time."""

    def __init__(self, latencies: list[float], wall: float, size: int) -> None:
        self.latencies = latencies
        self.wall = wall
        self.size = size

    def percentile(self, share: float) -> float:
        """Return a latency percentile (nearest rank), in seconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def row(self, label: str) -> str:
        """Format one line of the results table."""
        rps = len(self.latencies) / self.wall
        p50, p95, p99 = (self.percentile(q) * 1000 for q in (0.5, 0.95, 0.99))
        return (
            f"| {label} | {len(self.latencies)} | {rps:,.1f} | {p50:,.1f} | {p95:,.1f}"
            f" | {p99:,.1f} | {self.size / 1024:,.0f} KiB |"
        )


HEADER = (
    "| case | requests | req/s | p50 ms | p95 ms | p99 ms | body |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)


def bounded_loop(fetch: Callable[[], bytes]) -> Timing:
    """Call ``fetch`` ``REQUESTS`` times or until ``BUDGET`` seconds pass (one warm-up first)."""
    size = len(fetch())
    latencies: list[float] = []
    began = time.perf_counter()
    stop = began + BUDGET
    while len(latencies) < REQUESTS and time.perf_counter() < stop:
        start = time.perf_counter()
        fetch()
        latencies.append(time.perf_counter() - start)
    return Timing(latencies, time.perf_counter() - began, size)


def client_fetch(client: FlaskClient, path: str) -> Callable[[], bytes]:
    """Return a function that GETs ``path`` through the test client and checks the status."""

    def fetch() -> bytes:
        response = client.get(path)
        body: bytes = response.data
        assert 200 == response.status_code, body[:300]
        return body

    return fetch


def http_fetch(port: int, path: str) -> Callable[[], bytes]:
    """Return a function that GETs ``path`` over a new HTTP connection to 127.0.0.1."""

    def fetch() -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        assert 200 == response.status, body[:300]
        return body

    return fetch


@contextmanager
def serving(app: Flask) -> Iterator[int]:
    """Serve ``app`` with a threaded werkzeug server on a random 127.0.0.1 port; yield it."""
    with serve_in_thread(make_server("127.0.0.1", 0, app, threaded=True)) as server:
        yield server.server_port


def cases() -> Iterator[tuple[str, str]]:
    """Yield (label, path) for each thread size and format."""
    for key in SIZES:
        yield f"{key} JSON page 1", json_path(key)
        yield f"{key} HTML page 1", html_path(key)


def test_first_page_through_test_client(client: FlaskClient) -> None:
    """Measure the first page of each thread, JSON and HTML, through the test client."""
    rows = [bounded_loop(client_fetch(client, path)).row(label) for label, path in cases()]
    print("\nFlask test client\n" + HEADER + "\n" + "\n".join(rows))
    assert 4 == len(rows)


def test_first_page_over_http(app: Flask) -> None:
    """Measure the first page of each thread, JSON and HTML, over HTTP on 127.0.0.1."""
    with serving(app) as port:
        rows = [bounded_loop(http_fetch(port, path)).row(label) for label, path in cases()]
    print("\nwerkzeug threaded server, http.client\n" + HEADER + "\n" + "\n".join(rows))
    assert 4 == len(rows)


def best_time(fetch: Callable[[], bytes]) -> float:
    """Return the time of one request (the caller keeps the best of several)."""
    began = time.perf_counter()
    fetch()
    return time.perf_counter() - began


def test_json_page_cost_does_not_grow_with_thread(client: FlaskClient) -> None:
    """Guard: the JSON first page of a 10k thread costs at most 2x that of a 1k thread."""
    small = client_fetch(client, json_path("thread-1k"))
    large = client_fetch(client, json_path("thread-10k"))
    small(), large()  # warm up
    best_small = best_large = float("inf")
    lines = []
    for _ in range(GUARD_TRIES):
        for _ in range(GUARD_ROUNDS):
            best_small = min(best_small, best_time(small))
            best_large = min(best_large, best_time(large))
        ratio = best_large / best_small
        lines.append(
            f"JSON page 1: 1k thread {best_small * 1000:.1f} ms, 10k thread"
            f" {best_large * 1000:.1f} ms, ratio {ratio:.2f} (limit {COST_LIMIT})"
        )
        if ratio <= COST_LIMIT:
            break
    print("\n" + "\n".join(lines))
    assert ratio <= COST_LIMIT, "; ".join(lines)


def all_comments(fetch: Callable[[str], dict[str, Any]], key: str) -> tuple[int, int]:
    """Read every comment of a thread through the JSON API; return (comments, requests).

    Follows ``next_cursor`` from page to page (``limit=200``, the largest
    page) and, for a node whose replies did not fit, ``/replies`` pages.
    """
    seen: set[int] = set()
    requests = 0
    pending: list[str] = [f"{json_path(key)}?limit=200"]
    while pending:
        path = pending.pop()
        page = fetch(path)
        requests += 1
        stack = list(page["comments"])
        while stack:
            node = stack.pop()
            seen.add(node["id"])
            stack.extend(node["replies"])
            if node["more_replies"]:
                pending.append(f"/comments/api/comments/{node['id']}/replies")
        cursor = page.get("next_cursor")
        if cursor:
            base = path.split("?", 1)[0]
            glue = "?limit=200&" if "/threads/" in base else "?"
            pending.append(f"{base}{glue}cursor={cursor}")
    return len(seen), requests


def test_every_comment_over_http(app: Flask) -> None:
    """Read every comment of the 1k thread (and the 10k one when FULL) page by page over HTTP."""
    keys = list(SIZES) if FULL else ["thread-1k"]
    lines = []
    with serving(app) as port:
        for key in keys:

            def fetch(path: str) -> dict[str, Any]:
                body = http_fetch(port, path)()
                result: dict[str, Any] = json.loads(body)
                return result

            timings = []
            for _ in range(3):
                began = time.perf_counter()
                count, requests = all_comments(fetch, key)
                timings.append(time.perf_counter() - began)
            expected = json.loads(http_fetch(port, json_path(key))())["thread"]["comment_count"]
            lines.append(
                f"{key}: {count:,} comments in {requests} requests, best"
                f" {min(timings) * 1000:,.0f} ms (median {statistics.median(timings) * 1000:,.0f})"
            )
            assert count >= expected, lines[-1]
    print("\nevery comment over HTTP\n" + "\n".join(lines))
