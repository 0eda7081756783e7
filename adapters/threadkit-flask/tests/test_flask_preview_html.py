"""The no-JavaScript preview: the "Preview" submit button re-renders the form, storing nothing."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from tkflask_support import form_token

from threadkit.memory import MemoryStore

POST = "/comments/threads/post-1/comments"


def _thread_page(client: FlaskClient) -> str:
    response = client.get("/posts/post-1")
    assert 200 == response.status_code
    return response.get_data(as_text=True)


def _press_preview(client: FlaskClient, body: str, **fields: str) -> Any:
    """Press "Preview" on post-1's form, as a browser without JavaScript sends it."""
    html = _thread_page(client)
    meta = re.search(r'name="thread_meta" value="([^"]*)"', html)
    assert meta is not None
    data = {
        "csrf_token": form_token(html),
        "next": "/posts/post-1",
        "thread_meta": meta.group(1),
        "body": body,
        "name": "Ada",
        "tk_preview": "",  # a button without a value sends its name with an empty value
        **fields,
    }
    return client.post(POST, data=data)


def test_form_has_a_preview_button(client: FlaskClient) -> None:
    """The thread's form offers "Preview" beside "Post Comment", skipping browser checks."""
    html = _thread_page(client)
    assert re.search(r'<button type="submit" name="tk_preview" formnovalidate', html)
    assert 'aria-live="polite" data-tk-preview' in html


def test_preview_shows_rendered_text_and_keeps_the_form(
    client: FlaskClient, store: MemoryStore
) -> None:
    """The page shows the Markdown rendered, the form keeps the text, and nothing is stored."""
    response = _press_preview(client, "Hello *world*", email="ada@example.org")
    assert 200 == response.status_code
    assert "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    assert "Preview of your comment" in html
    assert "<p>Hello <em>world</em></p>" in html
    assert ">Hello *world*</textarea>" in html
    assert 'value="Ada"' in html
    assert 'value="ada@example.org"' in html
    assert [] == store.recent(10)


def test_preview_does_not_let_a_script_through(client: FlaskClient) -> None:
    """A script tag typed in the comment is escaped in the preview, never markup."""
    html = _press_preview(client, "Hi <script>alert('x')</script>").get_data(as_text=True)
    preview = html[html.index("data-tk-preview") : html.index("<form")]
    assert "<script" not in preview
    assert "&lt;script&gt;" in preview


def test_preview_then_post_posts_once(client: FlaskClient, store: MemoryStore) -> None:
    """The form on the preview page posts the comment for real."""
    html = _press_preview(client, "Second thoughts").get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields.update(body="Second thoughts", name="Ada")
    response = client.post(POST, data=fields)
    assert 303 == response.status_code
    assert ["Second thoughts"] == [c.body_source for c in store.recent(10)]


def test_empty_preview_says_what_to_fix(client: FlaskClient, store: MemoryStore) -> None:
    """Previewing an empty comment is a 422 page with the posting error, nothing stored."""
    response = _press_preview(client, "   ")
    assert 422 == response.status_code
    assert "Please write a comment before posting." in response.get_data(as_text=True)
    assert [] == store.recent(10)
