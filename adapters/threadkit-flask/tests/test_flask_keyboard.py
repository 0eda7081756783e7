"""Keyboard only, in headless Chromium: reach, reply, cancel, post and vote with Tab, Enter, Space.

No mouse event is sent: every step is a key press, and the test follows
``document.activeElement`` to check where focus goes after each action: with
threadkit.js, and with JavaScript off (plain links and forms, focus by #fragment).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from threadkit_flask.testing import serve
from tkflask_support import HoldWords, create_app

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.models import Identity, Submission
from threadkit.moderation import Pipeline
from threadkit.testing.browser import focused, sign_and_send, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    engine = CommentEngine(MemoryStore(), pipeline=Pipeline([HoldWords()]))
    engine.post("keys", Submission("The first comment"), Identity("anonymous", "kb", "Lin"))
    app = create_app(engine, config={"THREADKIT_APP_SECURITY_HEADERS": True})
    with serve(app) as base_url:
        yield base_url


LIVE = "[data-tk-live]"
REPLY = "[data-tk-reply='1']"
"""The Reply link of the seeded comment (the store's first id)."""


def test_reply_cancel_post_and_vote_without_a_mouse(server: str, browser: Any) -> None:
    """Every step by keys; focus lands on the form, back on Reply, then on the new comment."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/posts/keys")
    page.wait_for_function("document.documentElement.classList.contains('tk-js')")

    tab_to(page, REPLY)
    page.keyboard.press("Enter")
    after_reply = focused(page, "textarea[name=body]")
    label = page.locator("[data-tk-respond-label]").inner_text()

    # Cancel sits in the form's heading, before the fields.
    tab_to(page, "[data-tk-cancel]", back=True)
    page.keyboard.press("Enter")
    after_cancel = focused(page, REPLY)
    after_cancel_label = page.locator("[data-tk-respond-label]").inner_text()

    page.keyboard.press("Enter")
    page.keyboard.type("A reply typed on a keyboard")
    sign_and_send(page, "Kay", "[data-tk-submit]", back=True)
    new = page.locator("article.tk-comment", has_text="A reply typed on a keyboard")
    new.wait_for()
    expect(page.locator(LIVE)).not_to_have_text("")
    after_post = (
        page.evaluate("document.activeElement.id") == new.get_attribute("id"),
        page.locator(LIVE).inner_text(),
    )

    # One's own comment has no vote buttons: vote on the first one, above.
    first = page.locator("#comment-1")
    up = first.locator(".tk-up")
    tab_to(page, "#comment-1 .tk-up", back=True)
    page.keyboard.press("Space")
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(page.locator(LIVE)).to_contain_text("Vote")
    down = first.locator(".tk-down")
    voted = (up.get_attribute("aria-label"), down.get_attribute("aria-pressed"))
    voted_live = page.locator(LIVE).inner_text()
    page.keyboard.press("Enter")  # pressed again: the vote is withdrawn
    expect(up).to_have_attribute("aria-pressed", "false")
    withdrawn = up.get_attribute("aria-label")
    context.close()

    assert (True, "Reply to Lin") == (after_reply, label)
    assert (True, "Leave a Reply") == (after_cancel, after_cancel_label)
    assert (True, "Your comment was posted.") == after_post
    assert (("Upvote: 1", "false"), "Vote counted. Upvote: 1") == (voted, voted_live)
    assert "Upvote: 0" == withdrawn
    assert [] == errors


def landed_in(page: Any, selector: str) -> bool:
    """After a page load, whether the first Tab lands inside ``selector``.

    A page loaded at a #fragment starts keyboard navigation at its target: the first
    Tab goes to the next control after it, which is where a reader's focus "is".
    """
    page.keyboard.press("Tab")
    inside: bool = page.evaluate(
        "s => !!document.activeElement && !!document.activeElement.closest(s)", selector
    )
    return inside


def test_reply_cancel_post_and_vote_by_keyboard_without_javascript(
    server: str, browser: Any
) -> None:
    """JS off: every step is a link or a form; after each page load the next Tab lands on it.

    Reply opens the form under its comment, Cancel goes back to the comment, a post
    lands on the new comment (its #fragment) and a vote on the comment voted on.
    """
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/posts/keys")

    tab_to(page, REPLY)
    page.keyboard.press("Enter")
    page.wait_for_url("**tk_reply=1**")
    reply_form = (
        page.locator("[data-tk-respond-label]").inner_text(),
        landed_in(page, "[data-tk-respond]"),
    )

    tab_to(page, "[data-tk-cancel]", back=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**#comment-1")
    cancelled = (
        page.locator("[data-tk-respond-label]").inner_text(),
        landed_in(page, "#comment-1"),
    )

    tab_to(page, REPLY, back=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**tk_reply=1**")
    tab_to(page, "textarea[name=body]")
    page.keyboard.type("A reply typed without JavaScript")
    sign_and_send(page, "Noa", "[data-tk-submit]")
    new = page.locator("article.tk-comment", has_text="A reply typed without JavaScript")
    new.wait_for()
    new_id = new.get_attribute("id")
    posted = (page.url.endswith(f"#{new_id}"), new.get_attribute("data-tk-depth"))
    posted_focus = landed_in(page, f"#{new_id}")

    up = page.locator("#comment-1 .tk-up")
    tab_to(page, "#comment-1 .tk-up", back=True)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('#comment-1 .tk-up [data-tk-up]').textContent == '1'"
    )
    voted = (page.url.endswith("#comment-1"), up.get_attribute("aria-label"))
    voted_focus = landed_in(page, "#comment-1")
    context.close()

    assert ("Reply to Lin", True) == reply_form
    assert ("Leave a Reply", True) == cancelled
    assert ((True, "1"), True) == (posted, posted_focus)
    assert ((True, "Upvote: 1"), True) == (voted, voted_focus)
