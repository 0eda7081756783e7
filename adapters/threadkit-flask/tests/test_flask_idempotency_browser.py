"""The bundled script sends the form's idempotency key, renews it, and a lost answer posts once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from threadkit_flask.testing import serve
from tkflask_support import create_app

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.moderation import Pipeline
from threadkit.testing.browser import post_comment

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, MemoryStore]]:
    store = MemoryStore()
    engine = CommentEngine(store, pipeline=Pipeline())
    app = create_app(
        engine,
        config={"THREADKIT_APP_SECURITY_HEADERS": True, "THREADKIT_ALLOW_EMPTY_PIPELINE": True},
    )
    with serve(app) as base_url:
        yield base_url, store


def test_the_script_sends_a_new_key_with_each_post(
    site: tuple[str, MemoryStore], browser: Any
) -> None:
    """Two posts from one page carry two different Idempotency-Key headers; both are stored."""
    base, store = site
    page = browser.new_page()
    keys: list[str | None] = []
    page.on(
        "request",
        lambda request: (
            keys.append(request.headers.get("idempotency-key"))
            if request.method == "POST" and "/api/threads/" in request.url
            else None
        ),
    )
    page.goto(f"{base}/posts/keys")
    page.wait_for_function("document.documentElement.classList.contains('tk-js')")
    page.get_by_label("Name").fill("Ada")
    for text in ("First comment", "Second comment"):
        post_comment(page, text)
    page.close()
    assert (2, True, 2) == (
        len([key for key in keys if key]),
        keys[0] != keys[1],
        store.counts(["keys"])["keys"],
    )


def test_a_post_whose_answer_was_lost_is_stored_once_when_sent_again(
    site: tuple[str, MemoryStore], browser: Any
) -> None:
    """The first answer never arrives (the comment is stored); clicking again shows it, once."""
    base, store = site
    page = browser.new_page()
    dropped: list[str] = []

    def lose_first_answer(route: Any) -> None:
        if dropped:
            route.continue_()
            return
        route.fetch()  # the server stores the comment ...
        dropped.append(route.request.url)
        route.abort("timedout")  # ... and the browser never hears back

    page.route("**/api/threads/lost/comments", lose_first_answer)
    page.goto(f"{base}/posts/lost")
    page.wait_for_function("document.documentElement.classList.contains('tk-js')")
    page.get_by_label("Name").fill("Ada")
    page.locator("textarea[name=body]").first.fill("Sent on a bad connection")
    page.get_by_role("button", name="Post Comment").click()
    page.locator("[data-tk-error]:not([hidden])").first.wait_for()
    page.get_by_role("button", name="Post Comment").click()
    page.locator("article.tk-comment", has_text="Sent on a bad connection").wait_for()
    shown = page.locator("article.tk-comment", has_text="Sent on a bad connection").count()
    page.close()
    assert (1, 1, 1) == (len(dropped), shown, store.counts(["lost"])["lost"])
