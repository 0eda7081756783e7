"""Idempotency keys on the JSON API and the HTML form, and the vote limit through the routes."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from tkflask_support import api_headers, form_idempotency_key, form_token
from werkzeug.test import TestResponse

from threadkit.clock import ManualClock
from threadkit.memory import MemoryStore

POST = "/comments/api/threads/post-1/comments"


def send(client: FlaskClient, body: str, key: str | None, path: str = POST) -> TestResponse:
    headers = api_headers(client)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(path, json={"body": body, "name": "Ada"}, headers=headers)


def test_a_json_retry_with_the_same_key_gets_the_first_answer(
    guarded_client: FlaskClient, store: MemoryStore, clock: ManualClock
) -> None:
    """Same Idempotency-Key twice: both 201 with the same body and Location; one comment."""
    first = send(guarded_client, "Hello", "8d0c3c2e-retry")
    clock.advance(seconds=3)  # inside flood control's 15 s: without the key this would be 429
    again = send(guarded_client, "Hello", "8d0c3c2e-retry")
    assert (201, 201, first.get_json(), first.headers["Location"], 1) == (
        first.status_code,
        again.status_code,
        again.get_json(),
        again.headers["Location"],
        store.counts(["post-1"])["post-1"],
    )


def test_without_a_key_the_retry_is_refused_not_stored(
    guarded_client: FlaskClient, store: MemoryStore, clock: ManualClock
) -> None:
    """The same post again without a key is refused (flood control, 429), never stored twice."""
    send(guarded_client, "Hello", None)
    clock.advance(seconds=3)
    again = send(guarded_client, "Hello", None)
    assert (429, 1) == (again.status_code, store.counts(["post-1"])["post-1"])


def test_a_reply_route_takes_the_key_too(client: FlaskClient, store: MemoryStore) -> None:
    """POST .../replies with one key twice: one reply."""
    parent = send(client, "Parent", None).get_json()
    path = f"/comments/api/comments/{parent['id']}/replies"
    one = send(client, "A reply", "reply-key", path)
    two = send(client, "A reply", "reply-key", path)
    assert (201, one.get_json()["id"], 2) == (
        two.status_code,
        two.get_json()["id"],
        store.counts(["post-1"])["post-1"],
    )


def test_the_same_key_with_another_comment_is_a_422_that_says_so(
    client: FlaskClient, store: MemoryStore
) -> None:
    """Reusing a key for different text: problem+json idempotency_key_reused naming the header."""
    send(client, "Hello", "k-1")
    response = send(client, "Something else", "k-1")
    problem = response.get_json()
    assert (
        422,
        "application/problem+json",
        "idempotency_key_reused",
        "Idempotency-Key",
        1,
    ) == (
        response.status_code,
        response.mimetype,
        problem["code"],
        problem["field"],
        store.counts(["post-1"])["post-1"],
    )
    assert "send a new key for each new comment" in problem["detail"]


def test_a_malformed_key_is_a_422_with_the_rule(client: FlaskClient, store: MemoryStore) -> None:
    """A key with a space in it: 422 invalid_idempotency_key, nothing stored."""
    response = send(client, "Hello", "not a key")
    problem = response.get_json()
    assert (422, "invalid_idempotency_key", 0) == (
        response.status_code,
        problem["code"],
        store.counts(["post-1"])["post-1"],
    )
    assert "visible ASCII" in problem["detail"]


def test_each_render_of_the_form_has_a_fresh_key(client: FlaskClient) -> None:
    """Two renders of the comment form carry two different, valid keys."""
    one = form_idempotency_key(client.get("/posts/post-1").get_data(as_text=True))
    two = form_idempotency_key(client.get("/posts/post-1").get_data(as_text=True))
    assert (True, True) == (one != two, bool(re.fullmatch(r"[!-~]{1,255}", one)))


def test_a_resubmitted_form_posts_once_and_redirects_the_same(
    guarded_client: FlaskClient, store: MemoryStore, clock: ManualClock
) -> None:
    """The browser sends the same form twice (back, resubmit): one comment, the same redirect."""
    html = guarded_client.get("/posts/post-1").get_data(as_text=True)
    form = {
        "csrf_token": form_token(html),
        "idempotency_key": form_idempotency_key(html),
        "next": "/posts/post-1",
        "body": "From the form",
        "name": "Ada",
    }
    first = guarded_client.post("/comments/threads/post-1/comments", data=form)
    clock.advance(seconds=2)
    again = guarded_client.post("/comments/threads/post-1/comments", data=form)
    assert (303, 303, first.headers["Location"], 1) == (
        first.status_code,
        again.status_code,
        again.headers["Location"],
        store.counts(["post-1"])["post-1"],
    )


def test_fresh_sessions_voting_from_one_address_stop_at_the_limit(
    client: FlaskClient, app: Flask
) -> None:
    """Six new browsers (no cookies) upvoting from one IP: five count, the sixth is a 429."""
    comment = send(client, "Vote on me", None).get_json()
    statuses = []
    for _ in range(6):
        browser = app.test_client()
        response = browser.put(
            f"/comments/api/comments/{comment['id']}/vote",
            json={"value": 1},
            headers=api_headers(browser),
        )
        statuses.append(response.status_code)
    assert ([200] * 5 + [429], "too_many_votes", "3600") == (
        statuses,
        response.get_json()["code"],
        response.headers.get("Retry-After"),
    )


def test_the_vote_buttons_over_the_limit_answer_a_429_page(client: FlaskClient, app: Flask) -> None:
    """The HTML vote form from six new browsers on one IP: five redirects, then a 429 page."""
    comment = send(client, "Vote on me", None).get_json()
    answers = []
    for _ in range(6):
        browser = app.test_client()
        form = {"csrf_token": api_headers(browser)["X-Threadkit-CSRF"], "value": "1", "next": "/"}
        answers.append(browser.post(f"/comments/comments/{comment['id']}/vote", data=form))
    last = answers[-1]
    assert ([303] * 5 + [429], "text/html") == (
        [answer.status_code for answer in answers],
        last.mimetype,
    )
    assert "Too many votes on this comment from your network" in last.get_data(as_text=True)
