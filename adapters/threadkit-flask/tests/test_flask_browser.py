"""The real user path in headless Chromium, with and without JavaScript.

A real WSGI server (werkzeug) runs the test app on 127.0.0.1 at a random port,
under the strict CSP (``THREADKIT_APP_SECURITY_HEADERS``), so the bundled
script is proven to work without inline code. Screenshots go to
``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from threadkit_flask.testing import serve, watch_errors
from tkflask_support import HoldWords, create_app

from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.models import Identity, Submission
from threadkit.moderation import Pipeline
from threadkit.testing.browser import post_comment

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    engine = CommentEngine(
        MemoryStore(),
        pipeline=Pipeline([HoldWords()]),
        policy=EnginePolicy(max_display_depth=2, top_limit=5, total_limit=12),
    )
    seeder = Identity("anonymous", "seed-browser", "Seeder")
    for number in range(8):
        engine.post("older-post", Submission(f"Old comment {number}"), seeder)
    top = engine.post("replies-post", Submission("Popular comment"), seeder)
    for number in range(15):
        engine.post("replies-post", Submission(f"Answer {number}", parent_id=top.id), seeder)
    app = create_app(engine, config={"THREADKIT_APP_SECURITY_HEADERS": True})
    with serve(app) as base_url:
        yield base_url


SHOWN_UNDER = """el => {
  const host = el.parentElement.parentElement.closest('[data-tk-item]');
  return host ? host.querySelector('article').textContent.trim() : '';
}"""


def shown_under(page: Any, text: str) -> str:
    """Text of the comment a comment is displayed under (its list's owner)."""
    found: str = page.locator("article.tk-comment", has_text=text).evaluate(SHOWN_UNDER)
    return found


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"flask-{name}.png"), full_page=True)


def open_with_js(browser: Any, url: str) -> tuple[Any, Any, list[str]]:
    """Open ``url`` in a new browser context once its script has run (``tk-js`` on <html>).

    Returns the context, the page and the list collecting the page's errors.
    """
    context = browser.new_context()
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(url)
    page.wait_for_function("document.documentElement.classList.contains('tk-js')")
    return context, page, errors


def watch_navigations(page: Any) -> list[str]:
    """Return a list that collects every URL ``page`` navigates to from now on."""
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    return navigations


def test_post_reply_edit_delete_with_javascript(server: str, browser: Any) -> None:
    """With JS: post, reply, reply past the depth limit, edit and delete, all without reloads."""
    context, page, errors = open_with_js(browser, f"{server}/posts/js-post")
    navigations = watch_navigations(page)

    page.get_by_label("Name").fill("Ada")
    page.get_by_label("Email", exact=True).fill("ada@example.org")
    page.get_by_label("Notify me of new comments on this post").check()
    with page.expect_request(lambda r: r.method == "POST" and "/api/" in r.url) as sent:
        top = post_comment(page, "A top-level comment")
    assert True is sent.value.post_data_json["notify_thread"]
    assert "comment-" in (page.evaluate("document.activeElement.id") or "")
    shot(page, "js-posted")

    parent = top
    for level in range(1, 4):
        parent.get_by_role("link", name="Reply").click()
        assert "Reply to" in page.locator("[data-tk-respond-label]").inner_text()
        parent = post_comment(page, f"Reply at level {level}")
    shot(page, "js-replies")
    depths = [
        page.locator("article.tk-comment", has_text=f"Reply at level {n}").get_attribute(
            "data-tk-depth"
        )
        for n in (1, 2, 3)
    ]
    assert ["1", "2", "2"] == depths
    assert "A top-level comment" in shown_under(page, "Reply at level 1")
    assert "Reply at level 1" in shown_under(page, "Reply at level 3")
    assert "4 comments on \u201cPost js-post\u201d" == page.locator("h2.tk-title").inner_text()

    own = page.locator("article.tk-comment", has_text="Reply at level 3")
    own.get_by_role("link", name="Edit").click()
    page.locator("[data-tk-edit-form] textarea").fill("Edited without a reload")
    page.get_by_role("button", name="Save changes").click()
    page.locator("article.tk-comment", has_text="Edited without a reload").wait_for()
    shot(page, "js-edited")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("article.tk-comment", has_text="Edited without a reload").get_by_role(
        "link", name="Delete"
    ).click()
    page.locator("article.tk-comment", has_text="Edited without a reload").wait_for(
        state="detached"
    )
    shot(page, "js-deleted")

    assert [] == navigations
    assert [] == errors
    assert "3 comments on \u201cPost js-post\u201d" == page.locator("h2.tk-title").inner_text()
    page.reload()
    assert "3 comments on \u201cPost js-post\u201d" == page.locator("h2.tk-title").inner_text()
    assert 1 == page.locator("article.tk-comment", has_text="A top-level comment").count()
    assert 0 == page.locator("article.tk-comment", has_text="Edited without a reload").count()
    context.close()


def test_post_reply_edit_delete_without_javascript(server: str, browser: Any) -> None:
    """Without JS: the same path through plain form posts and redirects to #comment-<id>."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/posts/nojs-post")
    page.get_by_label("Name").fill("Grace")
    top = post_comment(page, "Posted without JavaScript", landing="**/posts/nojs-post#comment-*")
    assert 1 == top.count()
    shot(page, "nojs-posted")

    parent = top
    for level in range(1, 4):
        parent.get_by_role("link", name="Reply").click()
        page.wait_for_url(re.compile(r"tk_reply=\d+"))
        assert "Reply to" in page.locator(".tk-respond-title").inner_text()
        parent = post_comment(page, f"Plain reply {level}", landing="**#comment-*")
    assert "2" == parent.get_attribute("data-tk-depth")
    assert "Plain reply 1" in shown_under(page, "Plain reply 3")
    shot(page, "nojs-replies")

    parent.get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"/edit\?next="))
    page.locator("textarea[name=body]").fill("Edited on its own page")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**/posts/nojs-post#comment-*")
    edited = page.locator("article.tk-comment", has_text="Edited on its own page")
    assert 1 == edited.count()

    edited.get_by_role("link", name="Delete").click()
    page.wait_for_url(re.compile(r"/delete\?next="))
    shot(page, "nojs-delete-confirm")
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url("**/posts/nojs-post#*")
    assert 0 == page.locator("article.tk-comment", has_text="Edited on its own page").count()
    shot(page, "nojs-deleted")
    context.close()


def test_moderator_approves_held_comment(server: str, browser: Any) -> None:
    """A held comment waits in the queue with its reason until a moderator approves it."""
    author = browser.new_context()
    page = author.new_page()
    page.goto(f"{server}/posts/mod-post")
    page.get_by_label("Name").fill("Hopeful")
    post_comment(page, "HOLDME for review")
    assert "awaiting moderation" in page.locator(".tk-notice").inner_text()

    reader = browser.new_context()
    reader_page = reader.new_page()
    reader_page.goto(f"{server}/posts/mod-post")
    assert 0 == reader_page.locator("article.tk-comment").count()

    moderator = browser.new_context()
    mod_page = moderator.new_page()
    mod_page.goto(f"{server}/login/mod")
    mod_page.goto(f"{server}/comments/moderation")
    held = mod_page.locator("article", has_text="HOLDME for review")
    assert "Contains a word to review." in held.inner_text()
    shot(mod_page, "moderation-queue")
    held.get_by_role("button", name="Approve").click()
    mod_page.wait_for_url("**/comments/moderation*")
    assert 0 == mod_page.locator("article", has_text="HOLDME for review").count()

    reader_page.reload()
    assert 1 == reader_page.locator("article.tk-comment", has_text="HOLDME for review").count()
    shot(reader_page, "moderation-approved")
    for context in (author, reader, moderator):
        context.close()


def test_load_older_comments_and_more_replies_in_place(server: str, browser: Any) -> None:
    """With JS, "Newer comments" (oldest first) and "N more replies" load in place."""
    context, page, errors = open_with_js(browser, f"{server}/posts/older-post")
    navigations = watch_navigations(page)
    assert 5 == page.locator("article.tk-comment").count()
    page.get_by_role("link", name="Newer comments").click()
    page.locator("article.tk-comment", has_text="Old comment 7").wait_for()
    assert 8 == page.locator("article.tk-comment").count()
    assert 0 == page.get_by_role("link", name="Newer comments").count()
    assert "Old comment 5" in page.evaluate("document.activeElement.textContent")
    shot(page, "js-older-loaded")

    page.goto(f"{server}/posts/replies-post")
    navigations.clear()
    shown = page.locator("article.tk-comment").count()
    assert shown < 16
    more = page.locator("a.tk-more-replies")
    assert "1 more reply" == more.inner_text()  # a batch of 12 adds one (issue #15)
    more.click()
    # Wait for the exact link text: has_text is a case-insensitive substring, so
    # "More replies" also matched the "N more replies" link still on the page.
    page.locator("a.tk-more-replies", has_text=re.compile("^More replies$")).wait_for()
    assert 13 == page.locator("article.tk-comment").count()
    page.locator("a.tk-more-replies").click()
    page.locator("article.tk-comment", has_text="Answer 14").wait_for()
    assert 16 == page.locator("article.tk-comment").count()
    assert 0 == page.locator("a.tk-more-replies").count()
    shot(page, "js-replies-loaded")
    assert [] == navigations
    assert [] == errors
    context.close()


def _tab_to(page: Any, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches the JS ``predicate`` (el => bool)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate})(document.activeElement)"):
            return
    raise AssertionError(f"never reached an element matching {predicate}")


def test_keyboard_only_reply(server: str, browser: Any) -> None:
    """Keyboard only: tab to Reply, land in the moved form, post; focus goes to the reply."""
    context, page, errors = open_with_js(browser, f"{server}/posts/older-post")
    _tab_to(page, "el => el.matches('a.tk-reply-link')")
    replied_to = page.evaluate("document.activeElement.getAttribute('data-tk-reply')")
    page.keyboard.press("Enter")
    assert "body" == page.evaluate("document.activeElement.name")
    page.keyboard.type("Typed with the keyboard")
    page.keyboard.press("Shift+Tab")
    _tab_to(page, "el => el.matches('button[data-tk-submit]')")
    page.locator("input[name=name]").fill("Keys")
    page.locator("button[data-tk-submit]").focus()
    page.keyboard.press("Enter")
    reply = page.locator("article.tk-comment", has_text="Typed with the keyboard")
    reply.wait_for()
    focused = page.evaluate("document.activeElement.id")
    assert reply.get_attribute("id") == focused
    host = reply.evaluate(
        "el => el.parentElement.parentElement.closest('[data-tk-item]').dataset.tkItem"
    )
    assert replied_to == host
    shot(page, "keyboard-reply")
    assert [] == errors
    context.close()
