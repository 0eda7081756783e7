"""The comment preview in headless Chromium: in place with JavaScript, a page without it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from threadkit_flask.testing import serve, watch_errors
from tkflask_support import create_app

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.moderation import default_pipeline
from threadkit.testing.browser import preview_without_js

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TYPED = "Hello *world* <script>window.tkPwned = 1</script>"


@pytest.fixture
def store() -> MemoryStore:
    """A fresh store per test: the flood guard would slow one visitor's second post."""
    return MemoryStore()


@pytest.fixture
def server(store: MemoryStore) -> Iterator[str]:
    engine = CommentEngine(store, pipeline=default_pipeline(store))
    app = create_app(engine, config={"THREADKIT_APP_SECURITY_HEADERS": True})
    with serve(app) as base_url:
        yield base_url


def test_js_preview_and_back_to_edit(server: str, browser: Any, store: MemoryStore) -> None:
    """Preview shows the rendered comment in place (no reload, no script), Edit goes back."""
    context = browser.new_context()
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{server}/posts/preview-js")
    page.wait_for_function("document.documentElement.classList.contains('tk-js')")
    page.get_by_label("Name").fill("Ada")
    page.locator("textarea[name=body]").fill(TYPED)
    page.get_by_role("button", name="Preview").click()

    area = page.locator("[data-tk-preview]")
    area.locator("em", has_text="world").wait_for()
    assert "polite" == area.get_attribute("aria-live")
    assert "Preview of your comment" in area.inner_text()
    assert "<script>window.tkPwned = 1</script>" in area.locator(".tk-body").inner_text()
    assert 0 == area.locator("script").count()
    assert page.evaluate("window.tkPwned") is None
    assert page.locator("textarea[name=body]").is_hidden()
    assert page.get_by_role("button", name="Preview").is_hidden()
    assert page.url.endswith("/posts/preview-js")
    assert [] == store.recent(10)

    page.get_by_role("button", name="Edit").click()
    textarea = page.locator("textarea[name=body]")
    assert textarea.is_visible()
    assert TYPED == textarea.input_value()
    assert "body-" in (page.evaluate("document.activeElement.id") or "")
    assert "" == area.inner_text().strip()

    page.get_by_role("button", name="Preview").click()
    area.locator("em").wait_for()
    page.get_by_role("button", name="Post Comment").click()
    page.locator("article.tk-comment", has_text="Hello world").wait_for()
    assert "" == area.inner_text().strip()  # the preview of a posted comment goes away
    assert ["Ada"] == [c.author.name for c in store.recent(10)]
    assert [] == errors
    context.close()


def test_js_preview_of_an_empty_comment_says_what_to_fix(server: str, browser: Any) -> None:
    """An empty preview shows the server's message in the form's error box."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/posts/preview-empty")
    page.wait_for_function("document.documentElement.classList.contains('tk-js')")
    page.get_by_role("button", name="Preview").click()
    error = page.locator("[data-tk-error]")
    error.wait_for()
    assert "Please write a comment before posting." == error.inner_text()
    context.close()


def test_no_js_preview_page(server: str, browser: Any, store: MemoryStore) -> None:
    """Without JavaScript, Preview opens a page with the preview above the filled form."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/posts/preview-nojs")
    preview_without_js(page, "No *script* here")
    before = len(store.recent(50))
    page.get_by_label("Name").fill("Bo")
    page.get_by_role("button", name="Post Comment").click()
    page.locator("article.tk-comment", has_text="No script here").wait_for()
    assert before + 1 == len(store.recent(50))
    context.close()
