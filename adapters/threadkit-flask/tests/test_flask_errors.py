from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from tkflask_support import api_headers, create_app, new_comment, post_json

from threadkit.engine import CommentEngine
from threadkit.errors import StorageUnavailableError
from threadkit.limits import REQUEST_MAX_BYTES
from threadkit.memory import MemoryStore

PROBLEM = "application/problem+json; charset=utf-8"


def problem(response: Any) -> dict[str, Any]:
    """Check a response is problem+json and return its body."""
    assert PROBLEM == response.headers["Content-Type"]
    body: dict[str, Any] = response.get_json()
    assert {"type", "title", "status", "code", "detail", "field"} <= set(body)
    assert response.status_code == body["status"]
    return body


def raw_post(client: FlaskClient, path: str, data: bytes, **headers: str) -> Any:
    """POST raw bytes as JSON with the CSRF header."""
    return client.post(
        f"/comments{path}",
        data=data,
        headers={"Content-Type": "application/json", **api_headers(client), **headers},
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe{}", "invalid_utf8"),
        (b'{"body": "a\x00b"}', "nul_byte"),
        (b"[1, 2]", "not_object"),
        (b"", "invalid_json"),
    ],
)
def test_malformed_json_is_400(client: FlaskClient, data: bytes, code: str) -> None:
    """Bodies that are not one UTF-8 JSON object are 400 with a code naming the problem."""
    body = problem(raw_post(client, "/api/threads/post-1/comments", data))
    assert (400, code, "$") == (body["status"], body["code"], body["field"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": 5, "name": "A"}, "body"),
        ({"body": "hi", "parent_id": "1", "name": "A"}, "parent_id"),
        ({"body": "hi", "name": ["A"]}, "name"),
        ({"body": "hi", "notify_replies": "yes", "name": "A"}, "notify_replies"),
        ({"name": "A"}, "body"),
        ({"body": "hi"}, "name"),
        ({"body": "hi", "name": "A", "email": "not an email"}, "email"),
        ({"body": "hi", "name": "A", "url": "javascript:alert(1)"}, "url"),
    ],
)
def test_invalid_fields_are_422_with_field(
    client: FlaskClient, payload: dict[str, Any], field: str
) -> None:
    """A wrong type or invalid value is 422 and names the field at fault."""
    body = problem(post_json(client, "/api/threads/post-1/comments", payload))
    assert (422, field) == (body["status"], body["field"])


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    """JSON routes refuse form-encoded or text bodies with 415."""
    for content_type in ("application/x-www-form-urlencoded", "text/plain"):
        response = client.post(
            "/comments/api/threads/post-1/comments",
            data="body=hi",
            headers={"Content-Type": content_type, **api_headers(client)},
        )
        assert "unsupported_media_type" == problem(response)["code"]
        assert 415 == response.status_code


def test_json_write_without_csrf_header_is_403(client: FlaskClient) -> None:
    """A JSON write without the session's CSRF token is refused."""
    response = client.post("/comments/api/threads/post-1/comments", json={"body": "x", "name": "A"})
    assert ("csrf_failed", 403) == (problem(response)["code"], response.status_code)
    forged = client.post(
        "/comments/api/threads/post-1/comments",
        json={"body": "x", "name": "A"},
        headers={"X-Threadkit-CSRF": "guess"},
    )
    assert 403 == forged.status_code


def test_form_post_without_csrf_token_is_403(client: FlaskClient) -> None:
    """An HTML form post without the CSRF token is refused and nothing is stored."""
    response = client.post("/comments/threads/post-1/comments", data={"body": "x", "name": "A"})
    assert 403 == response.status_code
    assert {"post-1": 0} == client.get("/comments/api/counts?thread=post-1").get_json()["counts"]


class CountingStream(io.BytesIO):
    """A request body that counts how many bytes the app read."""

    def __init__(self, size: int) -> None:
        super().__init__(b"{" + b" " * (size - 2) + b"}")
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def test_huge_body_is_413_before_it_is_read(engine: CommentEngine) -> None:
    """A body over THREADKIT_MAX_BODY_BYTES is refused with 413 without reading it."""
    app = create_app(engine, config={"THREADKIT_MAX_BODY_BYTES": 1000})
    client = app.test_client()
    stream = CountingStream(5_000_000)
    response = client.post(
        "/comments/api/threads/post-1/comments",
        input_stream=stream,
        headers={
            "Content-Type": "application/json",
            "Content-Length": "5000000",
            **api_headers(client),
        },
    )
    assert ("request_too_large", 413) == (problem(response)["code"], response.status_code)
    assert stream.consumed <= 1000


def test_flood_is_429_with_retry_after(client: FlaskClient) -> None:
    """A rate-limited post answers 429 with Retry-After rounded up to whole seconds."""
    response = post_json(client, "/api/threads/post-1/comments", {"body": "FLOOD", "name": "A"})
    body = problem(response)
    assert (429, "13", 13) == (
        response.status_code,
        response.headers["Retry-After"],
        body["retry_after"],
    )


def test_spam_verdict_is_stored_not_refused(client: FlaskClient) -> None:
    """A comment judged spam is stored (201) with status spam, hidden from others."""
    assert "spam" == new_comment(client, body="SPAMME")["status"]


@pytest.mark.parametrize("raw_id", ["abc", "0", "-1", "99999999999999999999999", "1.5", "٣"])
def test_bad_or_unknown_ids_are_404(client: FlaskClient, raw_id: str) -> None:
    """Ids that are not positive integers, or unknown, are 404 comment_not_found."""
    for path in (f"/comments/api/comments/{raw_id}", f"/comments/api/comments/{raw_id}/replies"):
        body = problem(client.get(path))
        assert (404, "comment_not_found") == (body["status"], body["code"])
    assert 404 == client.get("/comments/api/comments/12345").status_code


def test_unknown_thread_is_404(client: FlaskClient) -> None:
    """Reading a thread that does not exist is 404 thread_not_found."""
    body = problem(client.get("/comments/api/threads/nope"))
    assert ("thread_not_found", 404) == (body["code"], body["status"])


def test_reply_to_unknown_parent_is_404(client: FlaskClient) -> None:
    """Replying to a comment that does not exist is 404."""
    response = post_json(client, "/api/comments/777/replies", {"body": "x", "name": "A"})
    assert 404 == response.status_code


def test_bad_sort_and_cursor_are_422(client: FlaskClient) -> None:
    """Unknown sort orders and forged cursors name their query parameter."""
    new_comment(client)
    assert "sort" == problem(client.get("/comments/api/threads/post-1?sort=best"))["field"]
    bad = client.get("/comments/api/threads/post-1", query_string={"cursor": "\u00e9\u00e9"})
    assert "cursor" == problem(bad)["field"]


class DownStore(MemoryStore):
    """A store whose every read and write fails as if the database were down."""

    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if callable(attribute) and not name.startswith("_"):

            def down(*args: Any, **kwargs: Any) -> Any:
                raise StorageUnavailableError("storage_unavailable", "The database is down.")

            return down
        return attribute


def test_storage_down_is_503_and_page_still_renders() -> None:
    """An unreachable store gives 503 problems; a host page still renders with a notice."""
    app = create_app(CommentEngine(DownStore()), config={"THREADKIT_ALLOW_EMPTY_PIPELINE": True})
    client = app.test_client()
    response = client.get("/comments/api/threads/post-1")
    assert (503, "storage_unavailable") == (response.status_code, problem(response)["code"])
    assert "Retry-After" in response.headers
    page = client.get("/posts/post-1")
    assert 200 == page.status_code
    assert "Comments cannot be loaded right now" in page.get_data(as_text=True)


def test_storage_down_heading_does_not_claim_an_empty_thread() -> None:
    """While the store is down the heading says "Comments", never "No comments yet"."""
    app = create_app(CommentEngine(DownStore()), config={"THREADKIT_ALLOW_EMPTY_PIPELINE": True})
    html = app.test_client().get("/posts/post-1").get_data(as_text=True)
    heading = re.search(r'<h2 class="tk-title"[^>]*>(.*?)</h2>', html, re.S)
    assert heading is not None
    assert "Comments" == heading.group(1).strip()


def _route_urls(app: Flask) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("threadkit.") or rule.endpoint == "threadkit.static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            path = re.sub(
                r"<(?:\w+:)?(\w+)>", lambda m: {"name": "nobody"}.get(m[1], "999"), rule.rule
            )
            urls.append((method, path))
    return urls


BAD_BODIES = [
    b"{not json",
    b"\xc3\x28\xa0\xa1",
    b'{"body": "\x00"}',
    b'{"body": 1, "value": "x", "decision": 3, "parent_id": true}',
    b'{"body": "' + b"a" * REQUEST_MAX_BYTES + b'"}',
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
]


def test_no_bad_input_at_any_route_gives_500(app: Flask, client: FlaskClient) -> None:
    """Every route answers garbage bodies, bad ids and bad tokens with a 4xx, never a 500."""
    new_comment(client)
    headers = api_headers(client)
    statuses = set()
    for method, path in _route_urls(app):
        for data in BAD_BODIES:
            for content_type in ("application/json", "application/x-www-form-urlencoded"):
                response = client.open(
                    path,
                    method=method,
                    data=data,
                    headers={"Content-Type": content_type, **headers},
                )
                statuses.add(response.status_code)
                assert response.status_code < 500, (method, path, data[:20], response.status_code)
        for weird in ("1", "0", "%00", "x" * 300, "%ff%fe", "1/../../etc"):
            response = client.open(
                re.sub(r"/999|/nobody", f"/{weird}", path), method=method, headers=headers
            )
            assert response.status_code < 500, (method, path, weird, response.status_code)
    assert {400, 413, 415} <= statuses


def test_form_post_while_storage_down_is_503_page() -> None:
    """A no-JS post while the store is down answers a 503 page that keeps the typed text."""
    app = create_app(CommentEngine(DownStore()), config={"THREADKIT_ALLOW_EMPTY_PIPELINE": True})
    client = app.test_client()
    token = client.get("/comments/api/me").get_json()["csrf_token"]
    response = client.post(
        "/comments/threads/post-1/comments",
        data={"csrf_token": token, "body": "typed text", "name": "Ada"},
    )
    assert 503 == response.status_code
    assert "typed text</textarea>" in response.get_data(as_text=True)


def test_long_author_fields_never_overflow_the_session_cookie(client: FlaskClient) -> None:
    """Only cleaned author details are remembered, so padded input cannot bloat the cookie."""
    response = post_json(
        client,
        "/api/threads/post-1/comments",
        {"body": "hi", "name": "Ada" + " " * 30_000 + "Lovelace"},
    )
    assert 201 == response.status_code
    assert "Ada Lovelace" == response.get_json()["author"]["name"]
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert len(cookie.value) < 1000


def test_unknown_api_paths_and_methods_are_problems(client: FlaskClient) -> None:
    """Unknown API paths are 404 and wrong methods 405 (with Allow), both as problems."""
    missing = client.get("/comments/api/nothing/here")
    assert (404, "no_such_route") == (missing.status_code, problem(missing)["code"])
    wrong = client.put("/comments/api/comments/1", headers=api_headers(client))
    assert (405, "method_not_allowed") == (wrong.status_code, problem(wrong)["code"])
    assert {"GET", "PATCH", "DELETE"} == set(wrong.headers["Allow"].split(", "))
