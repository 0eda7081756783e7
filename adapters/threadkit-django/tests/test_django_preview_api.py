"""POST /api/preview on Django: the shared handler, CSRF like the other writes, nothing stored."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from threadkit_django import get_state, reset_state

from threadkit.limits import COMMENT_MAX_BYTES

pytestmark = pytest.mark.django_db

PREVIEW = "/comments/api/preview"


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    reset_state()
    yield
    reset_state()


def _headers(client: Client) -> dict[str, str]:
    me = client.get("/comments/api/me").json()
    return {me["csrf_header"]: me["csrf_token"]}


def test_preview_renders_and_stores_nothing() -> None:
    """The rendered, sanitized HTML comes back and no comment is stored (CSRF enforced)."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        PREVIEW,
        {"body": "Hello *world* <script>alert(1)</script>"},
        content_type="application/json",
        headers=_headers(client),
    )
    assert 200 == response.status_code
    html = response.json()["body_html"]
    assert "<em>world</em>" in html
    assert "<script" not in html
    assert [] == get_state().web.engine.recent(10)


def test_preview_without_csrf_is_403() -> None:
    """A preview is a write: without the CSRF header it is refused with a problem."""
    client = Client(enforce_csrf_checks=True)
    client.get("/comments/api/me")
    response = client.post(PREVIEW, {"body": "x"}, content_type="application/json")
    assert 403 == response.status_code
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"body": " "}, "empty_body"), ({"body": "a" * (COMMENT_MAX_BYTES + 1)}, "body_too_large")],
)
def test_preview_bad_body_is_422(client: Client, payload: dict[str, str], code: str) -> None:
    """An empty or too-large comment gets the same 422 problem as posting it."""
    response = client.post(
        PREVIEW, payload, content_type="application/json", headers=_headers(client)
    )
    assert 422 == response.status_code
    assert code == response.json()["code"]
    assert "body" == response.json()["field"]


def test_preview_get_is_405(client: Client) -> None:
    """Only POST previews."""
    assert 405 == client.get(PREVIEW).status_code


def _form(page: str) -> dict[str, str]:
    """The hidden fields of the first comment form on ``page``."""
    form = page[page.index('class="tk-form"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form))


def test_no_js_preview_keeps_the_form_and_stores_nothing() -> None:
    """The "Preview" button (tk_preview) shows the rendered comment above the filled form."""
    client = Client(enforce_csrf_checks=True)
    fields = _form(client.get("/posts/hello/").content.decode())
    data = dict(fields, name="Ada", body="Hi *there* <script>x()</script>", tk_preview="")
    response = client.post("/comments/threads/hello/comments", data)
    assert 200 == response.status_code
    text = response.content.decode()
    assert "<p>Hi <em>there</em> &lt;script&gt;x()&lt;/script&gt;</p>" in text
    assert "<script>x()" not in text
    assert ">Hi *there* &lt;script&gt;x()&lt;/script&gt;</textarea>" in text
    assert 'value="Ada"' in text
    assert [] == get_state().web.engine.recent(10)
