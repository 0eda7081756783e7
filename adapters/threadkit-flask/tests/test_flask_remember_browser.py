"""'Remember my details in this browser': opt-in, kept while ticked, cleared when unticked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from threadkit_flask.testing import serve
from tkflask_support import create_app

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.moderation import Pipeline

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KEPT = "() => localStorage.getItem('threadkit:author')"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    engine = CommentEngine(MemoryStore(), pipeline=Pipeline([]))
    app = create_app(
        engine,
        config={"THREADKIT_APP_SECURITY_HEADERS": True, "THREADKIT_ALLOW_EMPTY_PIPELINE": True},
    )
    with serve(app) as base_url:
        yield base_url


def _post(page: Any, body: str, *, remember: bool) -> None:
    """Fill the anonymous form, tick the box or not, post, and wait for the comment."""
    form = page.locator("form[data-tk-form]")
    form.get_by_role("textbox", name="Name", exact=True).fill("Ada")
    form.get_by_role("textbox", name="Email", exact=True).fill("ada@example.org")
    form.get_by_role("textbox", name="Comment", exact=True).fill(body)
    box = form.get_by_label("Remember my details in this browser")
    box.set_checked(remember)
    form.get_by_role("button", name="Post Comment").click()
    page.locator("article.tk-comment", has_text=body).wait_for()


def test_details_are_kept_only_when_the_box_is_ticked(server: str, browser: Any) -> None:
    """Unticked (the default): nothing kept; ticked: refilled next visit; unticked: forgotten."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/posts/remember")
    box = page.get_by_label("Remember my details in this browser")
    ticked_at_first = box.is_checked()
    _post(page, "First, not remembered", remember=False)
    after_unticked = page.evaluate(KEPT)
    page.reload()
    _post(page, "Second, remembered", remember=True)
    page.reload()
    form = page.locator("form[data-tk-form]")
    name = form.get_by_role("textbox", name="Name", exact=True)
    refilled = (name.input_value(), box.is_checked())
    box.uncheck()
    after_untick = page.evaluate(KEPT)
    context.close()
    assert [False, None, ("Ada", True), None] == [
        ticked_at_first,
        after_unticked,
        refilled,
        after_untick,
    ]


def test_without_javascript_the_box_is_not_offered(server: str, browser: Any) -> None:
    """No JavaScript, nothing to keep the details: the box stays hidden."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/posts/remember")
    visible = page.get_by_label("Remember my details in this browser").is_visible()
    context.close()
    assert visible is False
