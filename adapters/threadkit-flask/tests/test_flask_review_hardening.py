"""Issue #11 review: what an outside probe found that did not hold yet.

A first-time commenter whose post was stored but whose answer (and with it the
session cookie naming the new anonymous author) was lost retries with the
cookie it had before. The retry must be the same author, or the idempotency
key and the duplicate check (both scoped to the author) do not apply.
"""

from __future__ import annotations

from flask.testing import FlaskClient
from tkflask_support import csrf_token, form_idempotency_key, form_token, session_cookie

from threadkit.clock import ManualClock
from threadkit.memory import MemoryStore


def test_a_first_form_post_retried_with_the_old_cookie_is_stored_once(
    guarded_client: FlaskClient, store: MemoryStore, clock: ManualClock
) -> None:
    """No-JS form: the answer of a first post is lost, the browser resends it later: one comment."""
    html = guarded_client.get("/posts/post-1").get_data(as_text=True)
    before_post = session_cookie(guarded_client)
    form = {
        "csrf_token": form_token(html),
        "idempotency_key": form_idempotency_key(html),
        "name": "Ada",
        "body": "My first comment",
        "next": "/posts/post-1",
    }
    first = guarded_client.post("/comments/threads/post-1/comments", data=form)
    guarded_client.set_cookie("session", before_post)  # the 303 and its Set-Cookie never arrived
    clock.advance(seconds=60)  # past flood control: only the key can tell it is a retry
    again = guarded_client.post("/comments/threads/post-1/comments", data=form)
    assert (303, first.headers["Location"], 1) == (
        again.status_code,
        again.headers["Location"],
        store.counts(["post-1"])["post-1"],
    )


def test_a_first_json_post_retried_with_the_old_cookie_gets_the_first_answer(
    guarded_client: FlaskClient, store: MemoryStore, clock: ManualClock
) -> None:
    """JSON API: a first post retried with its Idempotency-Key and the old cookie: one comment."""
    headers = {
        "X-Threadkit-CSRF": csrf_token(guarded_client),
        "Idempotency-Key": "first-post-retry",
    }
    before_post = session_cookie(guarded_client)
    data = {"name": "Ada", "body": "My first comment"}
    path = "/comments/api/threads/post-1/comments"
    first = guarded_client.post(path, json=data, headers=headers)
    guarded_client.set_cookie("session", before_post)
    clock.advance(seconds=60)
    again = guarded_client.post(path, json=data, headers=headers)
    assert (201, first.get_json()["id"], 1) == (
        again.status_code,
        again.get_json()["id"],
        store.counts(["post-1"])["post-1"],
    )
