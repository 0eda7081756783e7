"""Languages in headless Chromium: the RTL layout mirrors, times follow the reader's zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from threadkit_flask.testing import serve
from tkflask_support import create_app

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.models import Identity, Submission
from threadkit.moderation import Pipeline

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BOXES = """() => {
  const box = el => el.getBoundingClientRect();
  const parent = box(document.querySelector('[data-tk-depth="0"]'));
  const reply = box(document.querySelector('[data-tk-depth="1"]'));
  return {parentLeft: parent.left, parentRight: parent.right,
          replyLeft: reply.left, replyRight: reply.right};
}"""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    # Posted 3 hours (and a minute, so rounding stays at 3) before the browser reads them.
    clock = ManualClock(datetime.now(UTC) - timedelta(hours=3, minutes=1))
    engine = CommentEngine(MemoryStore(), clock=clock, pipeline=Pipeline([]))
    author = Identity("anonymous", "seed-i18n", "Seeder")
    top = engine.post("lang-post", Submission("Top comment"), author)
    engine.post("lang-post", Submission("A reply", parent_id=top.id), author)
    app = create_app(
        engine,
        config={"THREADKIT_APP_SECURITY_HEADERS": True, "THREADKIT_ALLOW_EMPTY_PIPELINE": True},
    )
    with serve(app) as base_url:
        yield base_url


def _boxes(browser: Any, server: str, locale: str) -> dict[str, float]:
    context = browser.new_context(locale=locale, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/posts/lang-post")
    found: dict[str, float] = page.evaluate(BOXES)
    context.close()
    return found


def test_an_arabic_page_indents_replies_from_the_right(server: str, browser: Any) -> None:
    """In Arabic the reply's right edge sits left of its parent's; in English, the mirror image."""
    arabic = _boxes(browser, server, "ar")
    english = _boxes(browser, server, "en-US")
    assert (True, True, True, True) == (
        arabic["replyRight"] < arabic["parentRight"],
        arabic["replyLeft"] == pytest.approx(arabic["parentLeft"], abs=1),
        english["replyLeft"] > english["parentLeft"],
        english["replyRight"] == pytest.approx(english["parentRight"], abs=1),
    )


def test_times_are_relative_in_the_readers_language_with_the_exact_time_on_hover(
    server: str, browser: Any
) -> None:
    """With JS, a German reader in Berlin sees "vor 3 Stunden" and the Berlin time as the title."""
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto(f"{server}/posts/lang-post")
    time = page.locator("time[data-tk-local]").first
    time.wait_for()
    shown = (time.text_content(), time.get_attribute("title"))
    expected_title = page.evaluate(
        """iso => new Intl.DateTimeFormat('de', {dateStyle: 'long', timeStyle: 'short',
             timeZone: 'Europe/Berlin'}).format(new Date(iso))""",
        time.get_attribute("datetime"),
    )
    context.close()
    assert ("vor 3 Stunden", expected_title) == shown
