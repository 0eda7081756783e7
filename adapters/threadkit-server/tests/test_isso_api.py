"""The Isso-compatible API at the JSON level: each route's status codes and shapes, errors."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from server_support import SITE_A, SITE_B, make_app

from threadkit.moderation import default_pipeline

_IPS = (f"10.1.{n // 250}.{n % 250 + 1}" for n in itertools.count())

COMMENT_KEYS = {
    "id",
    "parent",
    "text",
    "author",
    "website",
    "mode",
    "created",
    "modified",
    "likes",
    "dislikes",
    "hash",
    "notification",
}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The server, without flood control: these tests post several comments a second."""
    server = make_app(tmp_path / "comments.db")
    engine = server.extensions["threadkit"].engine
    engine.pipeline = default_pipeline(engine.store, flood=None)
    return server


def reader(app: Flask) -> FlaskClient:
    """A new browser on site A's pages (its own session, so its own anonymous identity)."""
    client = app.test_client()
    client.environ_base.update({"HTTP_ORIGIN": SITE_A, "REMOTE_ADDR": next(_IPS)})
    return client


@pytest.fixture
def ada(app: Flask) -> FlaskClient:
    return reader(app)


@pytest.fixture
def bob(app: Flask) -> FlaskClient:
    return reader(app)


def new(client: FlaskClient, text: str, uri: str = "/post/", **fields: Any) -> Any:
    """Post as Isso's client does; fail unless the answer is 201 or 202."""
    client.environ_base["REMOTE_ADDR"] = next(_IPS)  # flood control counts per address
    answer = client.post(f"/isso/new?uri={uri}", json={"text": text, "author": "Ann", **fields})
    assert answer.status_code in (201, 202), answer.get_data(as_text=True)
    return answer


def fetch(client: FlaskClient, query: str = "uri=/post/") -> Any:
    answer = client.get(f"/isso/?{query}")
    assert 200 == answer.status_code, answer.get_data(as_text=True)
    return answer.get_json()


def test_new_answers_201_with_isso_comment_and_edit_cookie(ada: FlaskClient) -> None:
    """A published post is 201 with Isso's comment fields and an X-Set-Cookie isso-<id>."""
    answer = new(ada, "Hello *there*", author="Ada", website="https://ada.example")
    comment = answer.get_json()
    assert 201 == answer.status_code
    assert COMMENT_KEYS == set(comment)
    assert (None, 1, "Ada", "https://ada.example") == (
        comment["parent"],
        comment["mode"],
        comment["author"],
        comment["website"],
    )
    assert "<p>Hello <em>there</em></p>" == comment["text"].strip()
    assert answer.headers["X-Set-Cookie"].startswith(f"isso-{comment['id']}=")
    assert "Max-Age=900" in answer.headers["X-Set-Cookie"]


def test_fetch_nests_one_level_like_isso(ada: FlaskClient, bob: FlaskClient) -> None:
    """A reply to a reply is listed under its top-level comment, its parent that comment."""
    top = new(ada, "top").get_json()
    reply = new(bob, "reply", parent=top["id"]).get_json()
    deeper = new(ada, "reply to the reply", parent=reply["id"]).get_json()
    thread = fetch(bob)
    assert (None, 3, 0) == (thread["id"], thread["total_replies"], thread["hidden_replies"])
    [shown] = thread["replies"]
    assert (top["id"], 2, 0) == (shown["id"], shown["total_replies"], shown["hidden_replies"])
    assert [(reply["id"], top["id"]), (deeper["id"], top["id"])] == [
        (r["id"], r["parent"]) for r in shown["replies"]
    ]
    assert {"reply-to-self", "require-email", "require-author", "feed"} <= set(thread["config"])


def test_limits_offset_and_hidden_replies(ada: FlaskClient, bob: FlaskClient) -> None:
    """Limit and offset page the top level, nested_limit the replies; hidden_replies the rest."""
    tops = [new(ada, f"top {n}").get_json()["id"] for n in range(3)]
    for n in range(3):
        new(bob, f"reply {n}", parent=tops[0])
    first = fetch(bob, "uri=/post/&limit=2&nested_limit=1")
    assert [tops[0], tops[1]] == [c["id"] for c in first["replies"]]
    assert 1 == first["hidden_replies"]
    assert (3, 2, 1) == (
        first["replies"][0]["total_replies"],
        first["replies"][0]["hidden_replies"],
        len(first["replies"][0]["replies"]),
    )
    rest = fetch(bob, "uri=/post/&limit=2&offset=2")
    assert [tops[2]] == [c["id"] for c in rest["replies"]]
    more = fetch(bob, f"uri=/post/&parent={tops[0]}&offset=1&limit=5")
    assert (tops[0], ["reply 1", "reply 2"]) == (
        more["id"],
        [c["text"].strip().removeprefix("<p>").removesuffix("</p>") for c in more["replies"]],
    )
    newest = fetch(bob, "uri=/post/&sort=newest")
    assert list(reversed(tops)) == [c["id"] for c in newest["replies"]]


def test_unknown_page_is_an_empty_thread(ada: FlaskClient) -> None:
    """A page nobody commented on yet answers 200 with no replies (as Isso does)."""
    thread = fetch(ada, "uri=/nothing-yet/")
    assert (0, []) == (thread["total_replies"], thread["replies"])


def test_held_comment_is_202_mode_2_and_seen_only_by_its_author(
    ada: FlaskClient, bob: FlaskClient
) -> None:
    """Moderation applies: a comment held (three links) is 202, mode 2, shown to its author only."""
    links = "see http://a.example http://b.example http://c.example"
    answer = new(ada, links)
    assert (202, 2) == (answer.status_code, answer.get_json()["mode"])
    assert [2] == [c["mode"] for c in fetch(ada)["replies"]]
    assert [] == fetch(bob)["replies"]


def test_edit_view_and_delete_by_the_author_only(ada: FlaskClient, bob: FlaskClient) -> None:
    """Only the author edits, reads the source of, and deletes a comment; others get 403."""
    comment = new(ada, "first words").get_json()
    url = f"/isso/id/{comment['id']}"
    assert 403 == bob.put(url, json={"text": "hijacked"}).status_code
    assert 403 == bob.get(url + "?plain=1").status_code
    assert 403 == bob.delete(url).status_code
    assert "first words" == ada.get(url + "?plain=1").get_json()["text"]
    edited = ada.put(url, json={"text": "better words"})
    assert 200 == edited.status_code
    assert "<p>better words</p>" == edited.get_json()["text"].strip()
    assert edited.get_json()["modified"] is not None
    gone = ada.delete(url)
    assert (200, None) == (gone.status_code, gone.get_json())
    assert gone.headers["X-Set-Cookie"].startswith(f"isso-{comment['id']}=;")
    assert 404 == ada.get(url).status_code


def test_deleting_a_comment_with_replies_leaves_mode_4(ada: FlaskClient, bob: FlaskClient) -> None:
    """A deleted comment with replies answers as Isso's placeholder: mode 4, no text or author."""
    top = new(ada, "top").get_json()
    new(bob, "reply", parent=top["id"])
    left = ada.delete(f"/isso/id/{top['id']}").get_json()
    assert (4, "", None) == (left["mode"], left["text"], left["author"])
    assert [4] == [c["mode"] for c in fetch(bob)["replies"]]


def test_like_and_dislike_answer_the_counts(ada: FlaskClient, bob: FlaskClient) -> None:
    """Votes count once per reader; a vote on one's own comment is not counted, and says why."""
    comment = new(ada, "vote on me").get_json()
    url = f"/isso/id/{comment['id']}"
    assert {"likes": 1, "dislikes": 0} == bob.post(url + "/like").get_json()
    assert {"likes": 0, "dislikes": 1} == bob.post(url + "/dislike").get_json()
    own = ada.post(url + "/like")
    assert (200, 0, 1) == (own.status_code, own.get_json()["likes"], own.get_json()["dislikes"])
    assert own.get_json()["message"]
    assert (0, 1) == (fetch(ada)["replies"][0]["likes"], fetch(ada)["replies"][0]["dislikes"])


def test_count_answers_published_counts_in_order(ada: FlaskClient) -> None:
    """POST /count takes a list of page URIs and answers their counts in the same order."""
    new(ada, "one")
    new(ada, "two")
    answer = ada.post("/isso/count", json=["/elsewhere/", "/post/"])
    assert (200, [0, 2]) == (answer.status_code, answer.get_json())
    assert 400 == ada.post("/isso/count", json={"uri": "/post/"}).status_code


def test_preview_renders_markdown(ada: FlaskClient) -> None:
    """POST /preview answers the HTML the text would become."""
    answer = ada.post("/isso/preview", json={"text": "**bold** <script>x</script>"})
    assert 200 == answer.status_code
    assert "<p><strong>bold</strong>" in answer.get_json()["text"]
    assert "<script>" not in answer.get_json()["text"]


def test_latest_and_feed(ada: FlaskClient) -> None:
    """GET /latest?limit= lists the newest with their uri; /feed redirects to the Atom feed."""
    comment = new(ada, "newest one").get_json()
    latest = ada.get("/isso/latest?limit=5")
    assert [(comment["id"], "/post/")] == [(c["id"], c["uri"]) for c in latest.get_json()]
    assert 400 == ada.get("/isso/latest").status_code
    feed = ada.get("/isso/feed?uri=/post/", follow_redirects=True)
    assert 200 == feed.status_code
    assert "newest one" in feed.get_data(as_text=True)


def test_stylesheet_is_served_where_the_client_looks(ada: FlaskClient) -> None:
    """GET /css/isso.css (which Isso's client loads by default) answers a stylesheet."""
    answer = ada.get("/isso/css/isso.css")
    assert (200, "text/css") == (answer.status_code, answer.mimetype)
    assert "#isso-thread" in answer.get_data(as_text=True)


def test_config_route(ada: FlaskClient) -> None:
    """GET /config answers Isso's public configuration."""
    config = ada.get("/isso/config").get_json()["config"]
    assert (False, True) == (config["reply-to-self"], config["feed"])


NEW = "/isso/new?uri=/post/"
JSON = "application/json"


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "code"),
    [
        ("get", "/isso/", {}, 400, "required"),
        ("get", "/isso/?uri=/post/&limit=x", {}, 400, "invalid_limit"),
        ("get", "/isso/?uri=/post/&sort=best", {}, 400, "invalid_sort"),
        ("post", NEW, {"json": {"author": "A"}}, 400, "required"),
        (
            "post",
            "/isso/new?uri=/post/",
            {"json": {"text": "  ", "author": "A"}},
            400,
            "empty_body",
        ),
        (
            "post",
            "/isso/new?uri=/post/",
            {"json": {"text": "hi", "parent": "1"}},
            400,
            "wrong_type",
        ),
        (
            "post",
            "/isso/new?uri=/post/",
            {"json": {"text": "hi", "author": "A", "parent": 9}},
            400,
            "invalid_parent",
        ),
        ("post", NEW, {"json": ["text"]}, 400, "not_object"),
        (
            "post",
            "/isso/new?uri=/post/",
            {"data": "{", "content_type": JSON},
            400,
            "invalid_json",
        ),
        (
            "post",
            "/isso/new?uri=/post/",
            {"data": "text=hi", "content_type": "text/plain"},
            403,
            "csrf_failed",
        ),
        ("put", "/isso/id/999", {"json": {"text": "x"}}, 404, "comment_not_found"),
        ("post", "/isso/id/999/like", {}, 404, "comment_not_found"),
        ("post", "/isso/preview", {"json": {}}, 400, "required"),
    ],
)
def test_bad_input_gets_isso_status_and_a_problem(
    ada: FlaskClient, method: str, url: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    """Bad input is answered with Isso's status code and a problem+json saying what to fix."""
    answer = getattr(ada, method)(url, **kwargs)
    assert (status, code) == (answer.status_code, answer.get_json()["code"])
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert status == answer.get_json()["status"]


def test_unlisted_origin_is_refused(app: Flask) -> None:
    """A page on an origin not configured gets 403 origin_not_allowed."""
    client = app.test_client()
    answer = client.get("/isso/?uri=/post/", headers={"Origin": "https://evil.example"})
    assert (403, "origin_not_allowed") == (answer.status_code, answer.get_json()["code"])


def test_cors_lets_the_page_read_answers_and_the_edit_cookie(ada: FlaskClient) -> None:
    """Answers carry CORS with credentials for a listed origin, X-Set-Cookie exposed; preflight."""
    answer = new(ada, "cors")
    assert (SITE_A, "true") == (
        answer.headers["Access-Control-Allow-Origin"],
        answer.headers["Access-Control-Allow-Credentials"],
    )
    assert "X-Set-Cookie" in answer.headers["Access-Control-Expose-Headers"]
    preflight = ada.options("/isso/id/1", headers={"Access-Control-Request-Method": "PUT"})
    assert preflight.status_code in (200, 204)
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_each_site_sees_only_its_own_threads(app: Flask, ada: FlaskClient) -> None:
    """Site B's page with the same URI is another thread; site A's comment ids are 404 there."""
    comment = new(ada, "on A").get_json()
    other = app.test_client()
    other.environ_base.update({"HTTP_ORIGIN": SITE_B, "REMOTE_ADDR": next(_IPS)})
    assert [] == fetch(other)["replies"]
    assert 404 == other.post(f"/isso/id/{comment['id']}/like").status_code
    assert [0] == other.post("/isso/count", json=["/post/"]).get_json()


def test_notifications_apply_to_isso_posts(tmp_path: Path) -> None:
    """A post through /isso/new queues the configured webhook, like any other post."""
    notify = ["--webhook-url", "http://127.0.0.1:9/hook", "--webhook-secret", "hook secret"]
    app = make_app(tmp_path / "notify.db", *notify)
    comment = new(reader(app), "tell the webhook").get_json()
    store = app.extensions["threadkit"].engine.store
    later = datetime.now(UTC) + timedelta(days=1)
    queued = store.claim_outbox(now=later, limit=10, lease_seconds=1)
    assert [comment["id"]] == [message.comment_id for message in queued]


def test_a_body_over_the_request_cap_is_413(ada: FlaskClient) -> None:
    """A post over the request cap is refused whole with 413 request_too_large."""
    answer = ada.post(NEW, json={"text": "x" * 500_000, "author": "A"})
    assert (413, "request_too_large") == (answer.status_code, answer.get_json()["code"])
