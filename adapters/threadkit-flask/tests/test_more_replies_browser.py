"""Issue #15 in headless Chromium: each "N more replies" link adds exactly N comments.

The old link counted missing direct replies but loaded a subtree, so "1 more
reply" could add 2, 11 or 76 comments. Every link of a fresh page is followed,
with JavaScript (in place: the page must hold no comment twice) and without
(the comment page shows exactly N comments the thread page did not).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from threadkit_flask.testing import serve, watch_errors
from tkflask_support import create_app

from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.models import Comment, Identity, Submission

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEEDER = Identity("anonymous", "seed-more", "Seeder")
ITEM_IDS = "() => Array.from(document.querySelectorAll('[data-tk-item]'), el => el.dataset.tkItem)"
ARTICLE_IDS = "() => Array.from(document.querySelectorAll('article.tk-comment'), el => el.id)"


def _seed(engine: CommentEngine) -> None:
    """A fan ("fan-post") and a 16-level chain ("chain-post"), both cut at 12 comments."""

    def say(key: str, body: str, parent: Comment | None = None) -> Comment:
        parent_id = None if parent is None else parent.id
        return engine.post(key, Submission(body, parent_id=parent_id), SEEDER)

    top = say("fan-post", "Top")
    first = say("fan-post", "First", top)
    say("fan-post", "First-0-deep", say("fan-post", "First-0", first))
    for number in range(1, 12):
        say("fan-post", f"First-{number}", first)
    second = say("fan-post", "Second", top)
    for number in range(5):
        say("fan-post", f"Second-{number}", second)
    level = say("chain-post", "Level 0")
    for number in range(1, 16):
        level = say("chain-post", f"Level {number}", level)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    engine = CommentEngine(
        MemoryStore(), policy=EnginePolicy(max_display_depth=2, top_limit=5, total_limit=12)
    )
    _seed(engine)
    app = create_app(
        engine,
        config={"THREADKIT_APP_SECURITY_HEADERS": True, "THREADKIT_ALLOW_EMPTY_PIPELINE": True},
    )
    with serve(app) as base_url:
        yield base_url


def _promised(text: str) -> int:
    """The number a link promises ("3 more replies" -> 3)."""
    found = re.fullmatch(r"(\d+) more repl(?:y|ies)", text.strip())
    assert found is not None, f"not an 'N more replies' link: {text!r}"
    return int(found[1])


def _link_texts(page: Any) -> list[str]:
    texts: list[str] = page.locator("a.tk-more-replies").all_inner_texts()
    return texts


@pytest.mark.parametrize("post", ["fan-post", "chain-post"])
def test_each_link_adds_what_it_counts_with_javascript(
    server: str, browser: Any, post: str
) -> None:
    """Clicking a link in place adds exactly the comments it counts, none twice."""
    context = browser.new_context()
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{server}/posts/{post}")
    links = _link_texts(page)
    assert links, "the cut page shows at least one link"
    for index, text in enumerate(links):
        page.goto(f"{server}/posts/{post}")
        page.wait_for_function("document.documentElement.classList.contains('tk-js')")
        before = page.evaluate(ITEM_IDS)
        link = page.locator("a.tk-more-replies").nth(index)
        assert text == link.inner_text()
        href = link.get_attribute("href")
        link.click()
        # The link goes, or turns into "More replies" (its text is set last).
        page.locator(
            f'a.tk-more-replies[href="{href}"]', has_text=re.compile(f"^{text}$")
        ).wait_for(state="detached")
        after = page.evaluate(ITEM_IDS)
        assert len(after) == len(set(after)), f"{text!r} put a comment on the page twice"
        assert set(before) <= set(after)
        assert _promised(text) == len(set(after) - set(before)), text
    assert [] == errors
    context.close()


@pytest.mark.parametrize("post", ["fan-post", "chain-post"])
def test_each_link_adds_what_it_counts_without_javascript(
    server: str, browser: Any, post: str
) -> None:
    """Without JS a link opens the comment's page: it shows exactly N comments not seen yet."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/posts/{post}")
    seen = set(page.evaluate(ARTICLE_IDS))
    links = page.locator("a.tk-more-replies")
    targets = [
        (links.nth(i).inner_text(), links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]
    assert targets, "the cut page shows at least one link"
    for text, href in targets:
        page.goto(f"{server}{href}" if href.startswith("/") else href)
        shown = page.evaluate(ARTICLE_IDS)
        assert len(shown) == len(set(shown))
        assert _promised(text) == len(set(shown) - seen), text
    context.close()
