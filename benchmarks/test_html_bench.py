"""A thread's first page rendered as HTML, against the same page as JSON.

The Flask adapter renders a comment section server-side (``{{
threadkit.thread(key) }}`` in a host page) from the overridable templates
under ``threadkit/``. Both pages read the same comments from the store; the
HTML one also runs the templates, which once cost five to six times the JSON
page (a helper call from the template per detail of every comment: ``url_for``,
avatar URLs, ``strftime``, permission checks, the CSRF token).

The guard measures both pages of one generated thread (1,000 comments,
seeded, in a bulk-loaded SQLite file) through Flask's test client in the same
run, in alternating rounds, and compares the best round of each: the HTML page
may cost at most :data:`RATIO_LIMIT` times the JSON page. ``pytest -s`` prints
the numbers; ``THREADKIT_BENCH_FULL=1`` runs more rounds.

Measured on 2 shared cores (455 comments on the page): 7.0x to 8.8x before the
template work, 4.0x after it. The goal is 2.5x; what is left is mostly Jinja's
own cost (about 30 autoescaped values per comment at about 1 us each, and five
``_()`` calls per comment through Jinja's i18n wrapper, a quarter of the page).

The limit was 6x until issue 12 made the JSON page cheaper (2026-12-02: 13 ms
instead of 16-17 ms on the same thread) while the HTML page stayed at 78-93 ms:
the same templates then measured 6.0x-6.9x on the quiet machine (the code before,
5.1x-5.7x that day). It is now 7.5x, measured up to three times (a busy machine
slows one attempt, not all); a slide back to helper calls per comment would show
about 9x-11x against today's JSON page.

It is 10x since the JSON page got cheaper again (issue 12, later the same day:
``encode_page`` writes a page's nested shapes in one msgspec call, 0.61x-0.65x the
CPU for pages of 100-500 comments): a clean CI run measured 7.7x-8.0x (JSON
6.9-7.3 ms, HTML 55-56 ms), the HTML page unchanged. The slide back to per-comment
helper calls (the HTML page 40-50% dearer) would now show about 11x-12x.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from threadkit.cache import NoPageCache
from threadkit.engine import CommentEngine
from threadkit.testing.generate import generate_rows

threadkit_flask = pytest.importorskip("threadkit_flask")
threadkit_sqlalchemy = pytest.importorskip("threadkit_sqlalchemy")

FULL = os.environ.get("THREADKIT_BENCH_FULL") == "1"
ROUNDS = 15 if FULL else 7
#: Requests per round; a round's time is its best request.
PER_ROUND = 3
#: The HTML page may cost at most this many times the JSON page of the same comments.
RATIO_LIMIT = 10.0
#: Attempts before the guard fails (each one a full set of rounds).
ATTEMPTS = 3
KEY = "thread-1k"
SIZE = 1_000
HOST_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>{{ key }}</title>"
    "<article><h1>A busy post</h1><p>Text of the post.</p></article>"
    "{{ threadkit.thread(key, title='A busy post') }}</html>"
)


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
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """Load the generated thread into a SQLite file; yield a test client of the host app."""
    path = tmp_path_factory.mktemp("html") / "comments.db"
    store = threadkit_sqlalchemy.SqlCommentStore(f"sqlite:///{path}", upgrade=True)
    store.bulk_load(KEY, generate_rows(SIZE, seed=1))
    yield make_app(store).test_client()
    store.close()


def fetcher(client: FlaskClient, path: str) -> Callable[[], bytes]:
    """Return a function that GETs ``path`` and checks the status."""

    def fetch() -> bytes:
        response = client.get(path)
        body: bytes = response.data
        assert 200 == response.status_code, body[:300]
        return body

    return fetch


def best_of(fetch: Callable[[], bytes]) -> float:
    """Return the shortest of :data:`PER_ROUND` calls of ``fetch``, in seconds."""
    best = float("inf")
    for _ in range(PER_ROUND):
        start = time.perf_counter()
        fetch()
        best = min(best, time.perf_counter() - start)
    return best


def test_html_page_costs_at_most_limit_times_json_page(client: FlaskClient) -> None:
    """The HTML first page of a thread costs at most RATIO_LIMIT times its JSON first page."""
    json_page = fetcher(client, f"/comments/api/threads/{KEY}")
    html_page = fetcher(client, f"/posts/{KEY}")
    shown = html_page().count(b'class="tk-item ')
    listed = json_page().count(b'"body_html"')
    assert shown > 100, "the first page should show many comments"
    assert shown == listed, "both pages should show the same comments"
    seen: list[str] = []
    for _ in range(ATTEMPTS):
        json_best = html_best = float("inf")
        for _ in range(ROUNDS):
            json_best = min(json_best, best_of(json_page))
            html_best = min(html_best, best_of(html_page))
        ratio = html_best / json_best
        seen.append(
            f"{ratio:.2f}x (JSON {json_best * 1000:.1f} ms, HTML {html_best * 1000:.1f} ms)"
        )
        print(f"\n{KEY}, first page ({shown} comments): HTML/JSON {seen[-1]}")
        if ratio <= RATIO_LIMIT:
            return
    pytest.fail(
        f"the HTML page costs more than {RATIO_LIMIT}x the JSON page in every attempt:"
        f" {'; '.join(seen)}"
    )
