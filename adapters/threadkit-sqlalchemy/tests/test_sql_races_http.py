"""Races through HTTP: a real threaded werkzeug server, the Flask adapter, the SQL store.

Parallel clients (threads, each with its own connection) hit the JSON routes
of a served app on SQLite, PostgreSQL and MariaDB: a double-clicked post, a
client retrying with one Idempotency-Key, and 25 fresh browsers voting from
one address. This is the one test module that puts threadkit_flask in front
of threadkit_sqlalchemy; both are installed by ``./dev setup``.
"""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from threadkit_flask import ThreadKit
from threadkit_flask.testing import serve
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.identity import AnonymousProvider
from threadkit.moderation import default_pipeline
from threadkit.testing.suite_support import in_parallel


class Browser:
    """One browser: its own cookie jar and CSRF token, speaking JSON to the served app."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf = str(self.call("GET", "/comments/api/me")[1]["csrf_token"])

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """Send one request; return (status, decoded JSON answer)."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if method != "GET":
            request.add_header("X-Threadkit-CSRF", getattr(self, "csrf", ""))
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read())


def at_once(workers: int, work: Callable[[int], tuple[int, Any]]) -> list[tuple[int, Any]]:
    """Run ``work(0..workers-1)`` in threads released together; their answers, in order."""
    answers: list[tuple[int, Any]] = [(0, None)] * workers

    def run(index: int) -> None:
        answers[index] = work(index)

    in_parallel(workers, run)
    return answers


@pytest.fixture
def served(sql_store: SqlCommentStore) -> Iterator[tuple[str, ManualClock, SqlCommentStore]]:
    """The app on a real server, over the backend's store, with a clock the test moves."""
    clock = ManualClock()
    engine = CommentEngine(sql_store, pipeline=default_pipeline(sql_store), clock=clock)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="races",
        THREADKIT_THREAD_POLICY="any",
        THREADKIT_BASE_URL="http://127.0.0.1",
    )
    ThreadKit(app, engine=engine, providers=[AnonymousProvider()])
    with serve(app) as base:
        yield base, clock, sql_store


def post(browser: Browser, thread: str, body: str, key: str | None = None) -> tuple[int, Any]:
    headers = {} if key is None else {"Idempotency-Key": key}
    return browser.call(
        "POST", f"/comments/api/threads/{thread}/comments", {"body": body, "name": "Ada"}, headers
    )


def test_a_double_clicked_post_over_http_is_stored_once(
    served: tuple[str, ManualClock, SqlCommentStore],
) -> None:
    """Ten identical POSTs from one browser at once: one 201, nine refused, one row.

    Each refusal is flood control's 429 ``too_fast`` or, when the duplicate
    check is the first to see the stored comment, a 422 ``duplicate``.
    """
    base, clock, store = served
    ada = Browser(base)
    assert 201 == post(ada, "warm-up", "First, to get a browser id")[0]
    clock.advance(minutes=1)
    answers = at_once(10, lambda i: post(ada, "race", "Clicked twice"))
    refusals = {(status, answer["code"]) for status, answer in answers if status != 201}
    assert (1, set(), 1) == (
        sum(status == 201 for status, _ in answers),
        refusals - {(429, "too_fast"), (422, "duplicate")},
        store.counts(["race"])["race"],
    )


def test_a_retried_post_with_one_key_over_http_answers_the_same(
    served: tuple[str, ManualClock, SqlCommentStore],
) -> None:
    """Ten POSTs with one Idempotency-Key at once: ten 201s with one comment id, one row."""
    base, clock, store = served
    ada = Browser(base)
    assert 201 == post(ada, "warm-up", "First, to get a browser id")[0]
    clock.advance(minutes=1)
    answers = at_once(10, lambda i: post(ada, "retry", "Sent until answered", "k-7f3a"))
    assert ([201] * 10, 1, 1) == (
        [status for status, _ in answers],
        len({answer["id"] for _, answer in answers}),
        store.counts(["retry"])["retry"],
    )


def test_twenty_five_fresh_browsers_voting_over_http_count_five(
    served: tuple[str, ManualClock, SqlCommentStore],
) -> None:
    """25 new browsers (one IP) upvote one comment at once: five 200s, twenty 429s, 5 votes."""
    base, _, store = served
    status, comment = post(Browser(base), "votes", "Vote on me")
    assert 201 == status
    browsers = [Browser(base) for _ in range(25)]
    answers = at_once(
        25,
        lambda i: browsers[i].call(
            "PUT", f"/comments/api/comments/{comment['id']}/vote", {"value": 1}
        ),
    )
    stored = store.get_comment(comment["id"])
    assert ([200] * 5 + [429] * 20, 5) == (
        sorted(status for status, _ in answers),
        None if stored is None else stored.upvotes,
    )
