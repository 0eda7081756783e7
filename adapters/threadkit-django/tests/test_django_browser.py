"""Post, reply, moderate and preview in headless Chromium, with and without JS, on SQL stores.

pytest-django's ``live_server`` runs the test site (a Django page with
``{% threadkit_thread %}``) on 127.0.0.1; the store is threadkit's SQL store,
upgraded by ``manage.py threadkit migrate``, on SQLite and on PostgreSQL.
Screenshots go to ``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from threadkit_django import state
from tkdjango_site.browser import chromium_beside_the_orm
from tkdjango_site.stores import database

from threadkit.testing.browser import post_comment, preview_without_js

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
STORE = "threadkit_sqlalchemy:SqlCommentStore"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_beside_the_orm() as chromium:
        yield chromium


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated SQL store; the site's engine holds first comments of authors for review."""
    with database(request.param, tmp_path) as url:
        settings = {"STORE": STORE, "STORE_ARGS": [url], "ENGINE": "tkdjango_site.engines:holding"}
        with override_settings(THREADKIT=settings):
            call_command("threadkit", "migrate", verbosity=0)
            state.reset_state()
            yield url
            state.reset_state()


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"django-{name}.png"), full_page=True)


def make_boss(users: Any) -> Any:
    """A staff user (a moderator, as STAFF_MODERATE allows)."""
    return users.objects.create_user(
        "boss", "", "pw", is_staff=True, first_name="Moderator", last_name="Boss"
    )


def make_ada(users: Any) -> Any:
    """A Django user who does not moderate."""
    return users.objects.create_user(
        "ada", "ada@example.org", "pw", first_name="Ada", last_name="Lovelace"
    )


def logged_in(browser: Any, live_server: Any, user: Any, **options: Any) -> Any:
    """A browser context with ``user``'s Django session cookie."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


def test_post_reply_and_moderate_without_javascript(
    store_url: str, browser: Any, live_server: Any, django_user_model: Any
) -> None:
    """No JS: a visitor's comment is held, staff approve it, a user replies as themselves."""
    boss = make_boss(django_user_model)
    ada = make_ada(django_user_model)
    visitor = browser.new_context(java_script_enabled=False)
    page = visitor.new_page()
    page.goto(f"{live_server.url}/posts/nojs/")
    page.get_by_label("Name").fill("Visitor")
    post_comment(page, "Held until approved", landing="**/posts/nojs/#comment-*")
    assert "awaiting moderation" in page.locator(".tk-notice").inner_text()
    shot(page, "nojs-held")

    moderator = logged_in(browser, live_server, boss, java_script_enabled=False)
    queue = moderator.new_page()
    queue.goto(f"{live_server.url}/comments/moderation")
    held = queue.locator("article.tk-comment", has_text="Held until approved")
    assert "first" in held.inner_text().lower()
    shot(queue, "nojs-queue")
    held.get_by_role("button", name="Approve").click()
    queue.wait_for_url("**/comments/moderation?status=pending")
    assert 0 == queue.locator("article.tk-comment", has_text="Held until approved").count()

    reader = logged_in(browser, live_server, ada, java_script_enabled=False)
    page = reader.new_page()
    page.goto(f"{live_server.url}/posts/nojs/")
    assert "You are commenting as Ada Lovelace" in page.locator(".tk-logged-in").inner_text()
    top = page.locator("article.tk-comment", has_text="Held until approved")
    top.get_by_role("link", name="Reply").click()
    page.wait_for_url(re.compile(r"tk_reply=\d+"))
    reply = post_comment(page, "A reply by a Django user", landing="**/posts/nojs/#comment-*")
    assert "1" == reply.get_attribute("data-tk-depth")
    assert "Ada Lovelace" in reply.locator(".tk-author").inner_text()
    shot(page, "nojs-replied")
    for context in (visitor, moderator, reader):
        context.close()


def test_post_and_reply_with_javascript(
    store_url: str, browser: Any, live_server: Any, django_user_model: Any
) -> None:
    """With JS: a user posts and replies without a page load; the moderator badge shows."""
    context, page, errors, navigations = staff_page(browser, live_server, django_user_model, "js")
    top = post_comment(page, "Posted with JavaScript")
    top.get_by_role("link", name="Reply").click()
    reply = post_comment(page, "Replied with JavaScript")
    assert "1" == reply.get_attribute("data-tk-depth")
    assert "Moderator" in reply.locator(".tk-badge").inner_text()
    shot(page, "js-replied")
    assert [] == navigations
    assert [] == errors
    page.reload()
    assert "2 comments on \u201cPost js\u201d" == page.locator("h2.tk-title").inner_text()
    context.close()


def watch_errors(page: Any) -> list[str]:
    """Collect script errors, console errors and failed responses of ``page``."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def with_js(context: Any, url: str) -> tuple[Any, list[str]]:
    """Open ``url`` in ``context`` and wait for the script to enhance the thread."""
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(url)
    page.wait_for_function("document.documentElement.classList.contains('tk-js')")
    return page, errors


def staff_page(
    browser: Any, live_server: Any, users: Any, slug: str
) -> tuple[Any, Any, list[str], list[str]]:
    """A staff user's post page with JS: its context, page, errors and navigations after load."""
    context = logged_in(browser, live_server, make_boss(users))
    page, errors = with_js(context, f"{live_server.url}/posts/{slug}/")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    return context, page, errors, navigations


def test_moderate_in_place_with_javascript(
    store_url: str, browser: Any, live_server: Any, django_user_model: Any
) -> None:
    """With JS: a visitor's held comment shows only to them; staff approve it on the page."""
    boss = make_boss(django_user_model)
    url = f"{live_server.url}/posts/jsmod/"
    visitor = browser.new_context()
    page, errors = with_js(visitor, url)
    page.get_by_label("Name").fill("Visitor")
    held = post_comment(page, "Held for a moderator with JS")
    assert "awaiting moderation" in page.locator(".tk-notice").inner_text()
    assert 1 == held.count()

    reader = browser.new_context()
    reader_page, reader_errors = with_js(reader, url)
    assert 0 == reader_page.locator("article.tk-comment").count()

    moderator = logged_in(browser, live_server, boss)
    mod_page, mod_errors = with_js(moderator, url)
    waiting = mod_page.locator("article.tk-comment", has_text="Held for a moderator with JS")
    shot(mod_page, "js-moderate-held")
    waiting.get_by_role("button", name="Approve").click()
    mod_page.wait_for_url(re.compile(r"/posts/jsmod/#comment-\d+$"))
    mod_page.wait_for_function("document.documentElement.classList.contains('tk-js')")
    approved = mod_page.locator("article.tk-comment", has_text="Held for a moderator with JS")
    assert 0 == approved.get_by_role("button", name="Approve").count()

    reader_page.reload()
    shown = reader_page.locator("article.tk-comment", has_text="Held for a moderator with JS")
    shown.wait_for()
    assert "Visitor" in shown.locator(".tk-author").inner_text()
    title = reader_page.locator("h2.tk-title").inner_text()
    assert "One comment on \u201cPost jsmod\u201d" == title
    shot(reader_page, "js-moderate-approved")
    assert [] == errors + reader_errors + mod_errors
    for context in (visitor, reader, moderator):
        context.close()


TYPED = "Hello *world* <script>window.tkPwned = 1</script>"


def test_markdown_preview_with_javascript(
    store_url: str, browser: Any, live_server: Any, django_user_model: Any
) -> None:
    """With JS: Preview renders the Markdown in place through Django, stores nothing; Post posts."""
    context, page, errors, navigations = staff_page(
        browser, live_server, django_user_model, "jspreview"
    )
    page.locator("textarea[name=body]").fill(TYPED)
    page.get_by_role("button", name="Preview").click()
    area = page.locator("[data-tk-preview]")
    area.locator("em", has_text="world").wait_for()
    assert "Preview of your comment" in area.inner_text()
    assert "<script>window.tkPwned = 1</script>" in area.locator(".tk-body").inner_text()
    assert 0 == area.locator("script").count()
    assert page.evaluate("window.tkPwned") is None
    assert page.locator("textarea[name=body]").is_hidden()
    shot(page, "js-preview")
    assert 0 == page.locator("article.tk-comment").count()  # nothing stored by a preview

    page.get_by_role("button", name="Edit").click()
    assert TYPED == page.locator("textarea[name=body]").input_value()
    page.get_by_role("button", name="Preview").click()
    area.locator("em").wait_for()
    page.get_by_role("button", name="Post Comment").click()
    posted = page.locator("article.tk-comment", has_text="Hello world")
    posted.wait_for()
    assert "world" == posted.locator(".tk-body em").inner_text()
    assert "" == area.inner_text().strip()
    assert [] == navigations
    assert [] == errors
    context.close()


def test_markdown_preview_without_javascript(
    store_url: str, browser: Any, live_server: Any, django_user_model: Any
) -> None:
    """No JS: Preview is a page with the rendered comment over the filled form; Post posts it."""
    ada = make_ada(django_user_model)
    context = logged_in(browser, live_server, ada, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/posts/nojspreview/")
    preview_without_js(page, "No *script* here")
    shot(page, "nojs-preview")
    post_comment(page, "No *script* here", landing="**/posts/nojspreview/#comment-*")
    mine = page.locator("article.tk-comment", has_text="No script here")
    assert "script" == mine.locator(".tk-body em").inner_text()
    assert "Ada Lovelace" in mine.locator(".tk-author").inner_text()
    context.close()
