"""The example blog in headless Chromium: read a post, reply, and look at it on two screens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from blog_test_support import example_env
from threadkit_example import create_app
from threadkit_flask.testing import launch_chromium, require_chromium, serve

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    app = create_app({"TESTING": False}, env=example_env(tmp_path_factory.mktemp("blog")))
    with serve(app) as url:
        yield url
    app.extensions["threadkit_example"]["store"].close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launch_chromium() as chromium:
        yield chromium


def test_reply_in_the_browser_and_screenshots(base_url: str, browser: object) -> None:
    """A reader opens a post, replies to a comment, sees it, at desktop and phone widths."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base_url}/posts/sourdough-in-a-cold-kitchen")
    title = page.get_by_role("heading", name="Sourdough in a cold kitchen", exact=True)
    expect(title).to_be_visible()
    expect(page.locator("article").first).to_be_visible()
    assert page.locator("article").count() >= 11
    page.screenshot(path=str(ARTIFACTS / "example-post-desktop.png"), full_page=True)

    page.get_by_role("link", name="Reply to David").first.click()
    form = page.locator("form:has(textarea[name=body])").locator("visible=true").first
    assert form.locator("[name=parent_id]").input_value() != ""
    form.locator("textarea[name=body]").fill("Replying from a real browser 🍞")
    form.locator("input[name=name]").fill("Browser Reader")
    form.locator("button[type=submit]").first.click()
    expect(page.get_by_text("Replying from a real browser 🍞")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "example-after-reply-desktop.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(f"{base_url}/posts/sourdough-in-a-cold-kitchen")
    expect(phone.get_by_text("Replying from a real browser 🍞")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    phone.screenshot(path=str(ARTIFACTS / "example-post-phone.png"), full_page=True)
    page.close()
    phone.close()
