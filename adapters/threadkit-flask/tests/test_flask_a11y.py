"""axe-core at WCAG 2.2 AA over the Flask adapter's pages, in light and dark, with and without JS.

axe-core is the npm package pinned in ``tools/a11y`` (see ``tools/a11y/axe.py``);
every page must have zero violations, no rule turned off. "Without JS" is the
page with threadkit.js refused by the browser, so axe itself can still run.
The phone layout is measured here too: a depth-5 reply keeps a readable width.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response
from threadkit_flask.testing import launch_chromium, serve
from tkflask_support import HoldWords, create_app

from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.models import Identity
from threadkit.moderation import Pipeline
from tools.a11y.axe import add_axe, describe, open_page, run_axe
from tools.a11y.pages import (
    ARTIFACTS,
    SCHEMES,
    ThreadPagesSuite,
    checked,
    open_phone,
    post_deep_thread,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    engine = CommentEngine(MemoryStore(), pipeline=Pipeline([HoldWords()]))
    post_deep_thread(engine, Identity("anonymous", "seed-a11y", "Seeder"))
    app = create_app(engine, config={"THREADKIT_APP_SECURITY_HEADERS": True})
    with serve(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_chromium() as chromium:
        yield chromium


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-{name}.png"), full_page=True)


class TestFlaskThreadPages(ThreadPagesSuite):
    """The shared checks on the Flask adapter's pages."""

    @pytest.fixture
    def a11y_site(self, server: str) -> str:
        return server


@pytest.mark.parametrize("scheme", SCHEMES)
def test_moderation_queue(server: str, browser: Any, scheme: str) -> None:
    """The queue a moderator sees, with a held comment: no violations, and ways back to the site."""
    slug = f"held-{scheme}"
    page = open_page(browser, f"{server}/posts/{slug}", scheme=scheme, js=True)
    page.get_by_label("Name").fill("Grace")
    page.locator("textarea[name=body]").first.fill(f"HOLDME for a moderator ({scheme})")
    page.get_by_role("button", name="Post Comment").click()
    page.locator("article.tk-comment", has_text=f"HOLDME for a moderator ({scheme})").wait_for()
    page.goto(f"{server}/login/mod")
    page.goto(f"{server}/comments/moderation")
    held = page.locator("article.tk-comment", has_text=f"HOLDME for a moderator ({scheme})")
    held.wait_for()
    violations = run_axe(page)
    shot(page, f"queue-{scheme}")
    links = (
        page.get_by_role("link", name="Back to the site").get_attribute("href"),
        (held.get_by_role("link", name=f"Post {slug}").get_attribute("href") or "").split("#")[0],
    )
    page.context.close()
    assert (("http://localhost/", f"/posts/{slug}"), []) == (links, violations), describe(
        violations
    )


BACKGROUND = "getComputedStyle(document.querySelector('.tk-thread')).backgroundColor"
TEXT = "getComputedStyle(document.querySelector('.tk-thread')).color"


@pytest.mark.parametrize(("system", "forced"), [("light", "dark"), ("dark", "light")])
def test_a_forced_scheme_wins_over_the_system(
    server: str, browser: Any, system: str, forced: str
) -> None:
    """data-tk-theme on <html> picks the scheme whatever the system prefers, still AA."""
    page = open_page(browser, f"{server}/posts/deep", scheme=system, js=True)
    page.evaluate(f"document.documentElement.setAttribute('data-tk-theme', '{forced}')")
    seen = (page.evaluate(BACKGROUND), page.evaluate(TEXT))
    violations = checked(page, f"forced-{forced}")
    expected = {
        "dark": ("rgb(13, 17, 23)", "rgb(230, 237, 243)"),
        "light": ("rgba(0, 0, 0, 0)", "rgb(31, 35, 40)"),
    }[forced]
    assert (expected, []) == (seen, violations), describe(violations)


WIDTHS = """() => Array.from(document.querySelectorAll('article.tk-comment'), a =>
  [Number(a.dataset.tkDepth), a.querySelector('.tk-body').getBoundingClientRect().width])"""


def test_deep_replies_keep_a_readable_width_on_a_phone(server: str, browser: Any) -> None:
    """At 390 px a depth-5 reply's text is still at least 250 px wide (it was ~150)."""
    page = open_phone(browser, f"{server}/posts/deep")
    widths = dict(page.evaluate(WIDTHS))
    shot(page, "phone-390")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    page.context.close()
    assert (True, True, 390) == (5 in widths, widths[5] >= 250, scroll), widths


def test_axe_can_fail(browser: Any) -> None:
    """The check is not vacuous: a nameless button and an image without alt are reported."""
    context = browser.new_context()
    add_axe(context)
    page = context.new_page()
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Broken</title></head>'
        '<body><main><button></button><img src="data:,"></main></body></html>'
    )
    found = sorted(violation["id"] for violation in run_axe(page))
    context.close()
    assert ["button-name", "image-alt"] == found


SLOW_CSS_SECONDS = 1.5
_NAV = '<ul class="nav"><li><a href="/a">Pending</a></li><li><a href="/b">Spam</a></li></ul>'


def _slow_stylesheet_site() -> Flask:
    """A link to a page whose nav is 24px tall only once its (slow) stylesheet applies."""
    app = Flask(__name__)

    @app.get("/")
    def start() -> str:
        body = '<main><a href="/list">List</a></main>'
        return f'<!doctype html><html lang="en"><title>Start</title>{body}'

    @app.get("/list")
    def listing() -> str:
        head = '<link rel="stylesheet" href="/slow.css"><title>List</title>'
        return f'<!doctype html><html lang="en">{head}<main><h1>List</h1>{_NAV}</main>'

    @app.get("/slow.css")
    def slow_css() -> Response:
        time.sleep(SLOW_CSS_SECONDS)
        css = ".nav { display: flex; gap: 2rem } .nav a { display: inline-block; padding: 6px 0 }"
        return Response(css, mimetype="text/css")

    return app


def test_axe_measures_a_clicked_page_after_its_stylesheets(browser: Any) -> None:
    """run_axe waits for the page's load event: a page reached by a click is measured styled.

    The ready element is in the DOM before the slow stylesheet arrives; measured
    then, the unstyled nav fails target-size (as the admin console once did in CI).
    """
    with serve(_slow_stylesheet_site()) as base_url:
        context = browser.new_context()
        add_axe(context)
        page = context.new_page()
        page.goto(base_url + "/")
        page.get_by_role("link", name="List").click()
        page.locator(".nav a").first.wait_for()
        violations = run_axe(page)
        height = page.evaluate("document.querySelector('.nav a').getBoundingClientRect().height")
        context.close()
    assert ([], True) == (violations, height >= 24), describe(violations)
