"""POST /api/preview: a comment's Markdown rendered as posting shows it, nothing stored."""

from __future__ import annotations

from flask.testing import FlaskClient
from tkflask_support import api_headers, post_json

from threadkit.limits import COMMENT_MAX_BYTES
from threadkit.memory import MemoryStore

PREVIEW = "/api/preview"


def test_preview_renders_markdown_and_stores_nothing(
    client: FlaskClient, store: MemoryStore
) -> None:
    """The answer is the sanitized HTML; no thread or comment is created."""
    response = post_json(client, PREVIEW, {"body": "Hello *world*"})
    assert 200 == response.status_code
    assert "<em>world</em>" in response.get_json()["body_html"]
    assert "no-store" in response.headers["Cache-Control"]
    assert [] == store.recent(10)


def test_preview_drops_script(client: FlaskClient) -> None:
    """No script tag, event handler or javascript: link survives as markup (text is escaped)."""
    body = 'Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    html = post_json(client, PREVIEW, {"body": body}).get_json()["body_html"]
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_preview_needs_csrf(client: FlaskClient) -> None:
    """Like every write, a preview without the CSRF token is refused."""
    response = client.post(
        "/comments" + PREVIEW, json={"body": "x"}, headers={"Content-Type": "application/json"}
    )
    assert 403 == response.status_code
    assert "application/problem+json" == response.mimetype


def test_preview_empty_body_is_422(client: FlaskClient) -> None:
    """An empty comment gets the same problem as posting it: 422 empty_body on body."""
    response = post_json(client, PREVIEW, {"body": "   "})
    assert 422 == response.status_code
    problem = response.get_json()
    assert "empty_body" == problem["code"]
    assert "body" == problem["field"]


def test_preview_missing_or_wrong_body_is_422(client: FlaskClient) -> None:
    """No body, or a body that is not text, names the field to fix."""
    missing = post_json(client, PREVIEW, {})
    assert 422 == missing.status_code
    assert "body" == missing.get_json()["field"]
    number = post_json(client, PREVIEW, {"body": 5})
    assert 422 == number.status_code
    assert "body" == number.get_json()["field"]


def test_preview_too_large_is_422_with_the_limit(client: FlaskClient) -> None:
    """A body over the comment limit says how large it is and what the limit is."""
    response = post_json(client, PREVIEW, {"body": "a" * (COMMENT_MAX_BYTES + 1)})
    assert 422 == response.status_code
    problem = response.get_json()
    assert "body_too_large" == problem["code"]
    assert f"{COMMENT_MAX_BYTES:,}" in problem["detail"]


def test_preview_at_the_limit_renders(client: FlaskClient) -> None:
    """A body exactly at the limit previews, as it would post."""
    response = post_json(client, PREVIEW, {"body": "a" * COMMENT_MAX_BYTES})
    assert 200 == response.status_code


def test_preview_invalid_json_is_400(client: FlaskClient) -> None:
    """Malformed JSON is a 400 problem, not a crash."""
    headers = {**api_headers(client), "Content-Type": "application/json"}
    response = client.post("/comments" + PREVIEW, data=b"{nope", headers=headers)
    assert 400 == response.status_code
    assert "application/problem+json" == response.mimetype
