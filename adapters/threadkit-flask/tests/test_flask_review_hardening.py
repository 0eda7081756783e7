"""Issue #11 review: what an outside probe found that did not hold yet.

A first-time commenter whose post was stored but whose answer (and with it the
session cookie naming the new anonymous author) was lost retries with the
cookie it had before. The retry must be the same author, or the idempotency
key and the duplicate check (both scoped to the author) do not apply.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from tkflask_support import create_app, csrf_token, form_token

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.moderation import default_pipeline


def guarded_client(store: MemoryStore, clock: ManualClock) -> FlaskClient:
    """A client of an app with the default pipeline (flood control, duplicates)."""
    engine = CommentEngine(store, clock=clock, pipeline=default_pipeline(store))
    return create_app(engine).test_client()


def session_cookie(client: FlaskClient) -> str:
    """The client's session cookie as it is now."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def form_idempotency_key(html: str) -> str:
    """The hidden idempotency key of a rendered comment form."""
    found = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_first_form_post_retried_with_the_old_cookie_is_stored_once(
    store: MemoryStore, clock: ManualClock
) -> None:
    """No-JS form: the answer of a first post is lost, the browser resends it later: one comment."""
    client = guarded_client(store, clock)
    html = client.get("/posts/post-1").get_data(as_text=True)
    before_post = session_cookie(client)
    form = {
        "csrf_token": form_token(html),
        "idempotency_key": form_idempotency_key(html),
        "name": "Ada",
        "body": "My first comment",
        "next": "/posts/post-1",
    }
    first = client.post("/comments/threads/post-1/comments", data=form)
    client.set_cookie("session", before_post)  # the 303 and its Set-Cookie never arrived
    clock.advance(seconds=60)  # past flood control: only the key can tell it is a retry
    again = client.post("/comments/threads/post-1/comments", data=form)
    assert (303, first.headers["Location"], 1) == (
        again.status_code,
        again.headers["Location"],
        store.counts(["post-1"])["post-1"],
    )


def test_a_first_json_post_retried_with_the_old_cookie_gets_the_first_answer(
    store: MemoryStore, clock: ManualClock
) -> None:
    """JSON API: a first post retried with its Idempotency-Key and the old cookie: one comment."""
    client = guarded_client(store, clock)
    headers = {"X-Threadkit-CSRF": csrf_token(client), "Idempotency-Key": "first-post-retry"}
    before_post = session_cookie(client)
    data = {"name": "Ada", "body": "My first comment"}
    path = "/comments/api/threads/post-1/comments"
    first = client.post(path, json=data, headers=headers)
    client.set_cookie("session", before_post)
    clock.advance(seconds=60)
    again = client.post(path, json=data, headers=headers)
    assert (201, first.get_json()["id"], 1) == (
        again.status_code,
        again.get_json()["id"],
        store.counts(["post-1"])["post-1"],
    )
