"""axe-core at WCAG 2.2 AA over threadkit-server's pages: the embed on a static page, the login.

The example static site (``examples/static-site``) is served as it ships, its
script tag pointed at a real ``threadkit-server`` (SQLite); axe-core is the npm
package pinned in ``tools/a11y``. Light and dark: zero violations, no rule off.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from embed_support import SITE, serve_site, site_url
from flask import Flask
from playwright.sync_api import expect
from threadkit_flask import get_state
from threadkit_flask.testing import launch_chromium
from threadkit_server import create_app, load_config
from werkzeug.serving import make_server

from threadkit.models import Identity, Submission
from threadkit.testing.browser import focused, sign_and_send, tab_to
from threadkit.testing.http_server import serve_in_thread
from tools.a11y.axe import add_axe, describe, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
ADMIN_PASSWORD = "a11y-test-admin"  # a test fixture, not a credential
SCHEMES = ("light", "dark")


@pytest.fixture(scope="module")
def urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(static site, comment server) base URLs, the server reached as localhost."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    built: list[Flask] = []
    wsgi = make_server("127.0.0.1", 0, lambda env, start: built[0](env, start), threaded=True)
    db = tmp_path_factory.mktemp("a11y") / "comments.db"
    with serve_site() as site_server, serve_in_thread(wsgi):
        site = site_url(site_server)
        server = f"http://localhost:{wsgi.server_port}"
        argv = ["--site", site, "--db", f"sqlite:///{db}", "--upgrade", "--dev"]
        argv += ["--public-url", server, "--admin-password", ADMIN_PASSWORD]
        config = load_config(argv, environ={})
        built.append(create_app(config))
        engine = get_state(built[0]).engine
        prefix = config.sites[0].prefix
        top = engine.post(
            prefix + "hello",
            Submission("Welcome, *static* site, with [a link](https://example.org)"),
            Identity("anonymous", "a11y-lin", "Lin"),
        ).id
        engine.post(
            prefix + "hello",
            Submission("An answer", parent_id=top),
            Identity("anonymous", "a11y-kay", "Kay"),
        )
        parent = None
        for depth in range(6):  # each by its own author: flood control allows one a while
            who = Identity("anonymous", f"a11y-deep{depth}", f"Deep {depth}")
            body = f"Depth {depth}: a reply long enough to wrap over a few lines on a phone."
            parent = engine.post(prefix + "second", Submission(body, parent_id=parent), who).id
        site_server.comment_server = server
        hello = (SITE / "posts" / "hello.html").read_text(encoding="utf-8")
        for lang in ("ar", "de"):  # the host's choice of language, on the embed's tag
            tag = 'data-thread="hello"'
            page = hello.replace(tag, f'{tag} data-lang="{lang}"')
            site_server.extra_pages[f"/posts/hello-{lang}.html"] = page
        yield site, server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_chromium() as chromium:
        yield chromium


def checked(browser: Any, url: str, scheme: str, name: str, ready: str) -> list[dict[str, Any]]:
    """Open ``url`` in ``scheme`` with axe loaded, wait for ``ready``; return the violations."""
    context = browser.new_context(color_scheme=scheme)
    add_axe(context)
    page = context.new_page()
    page.goto(url)
    page.locator(ready).first.wait_for()
    violations = run_axe(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-server-{name}-{scheme}.png"), full_page=True)
    context.close()
    return violations


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_embed(urls: tuple[str, str], browser: Any, scheme: str) -> None:
    """The embed on a static page, comments loaded and the form shown: no violations."""
    site, _ = urls
    ready = "article.tk-comment >> text=An answer"
    violations = checked(browser, f"{site}/posts/hello.html", scheme, "embed", ready)
    assert [] == violations, describe(violations)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_login_page(urls: tuple[str, str], browser: Any, scheme: str) -> None:
    """The admin login page: no violations."""
    _, server = urls
    violations = checked(browser, f"{server}/admin/login", scheme, "login", "input#password")
    assert [] == violations, describe(violations)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_admin_console_queue(urls: tuple[str, str], browser: Any, scheme: str) -> None:
    """The admin console's list of recent comments (table, status badges): no violations."""
    _, server = urls
    context = browser.new_context(color_scheme=scheme)
    add_axe(context)
    page = context.new_page()
    page.goto(f"{server}/admin/login?next=/admin/comments%3Flist%3Drecent")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator(".tk-admin-table .tk-admin-status").first.wait_for()
    violations = run_axe(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-server-admin-{scheme}.png"), full_page=True)
    url = page.url
    context.close()
    listed = url.endswith("/admin/comments?list=recent")
    assert (True, []) == (listed, violations), describe(violations)


ADMIN_CSS = Path(__file__).resolve().parents[1] / "src/threadkit_server/static/admin.css"
HEADER = "getComputedStyle(document.querySelector('.tk-admin-header')).backgroundColor"
NAV_LINK = "getComputedStyle(document.querySelector('.tk-admin-nav a')).color"


def test_the_console_reads_the_comments_theme(urls: tuple[str, str], browser: Any) -> None:
    """admin.css defines no colour of its own: the --tk-* of threadkit.css, dark and forced."""
    site, server = urls
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(f"{server}/admin/login?next=/admin/comments")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Read colours only once the console page and its stylesheets have loaded (seen flaky).
    page.wait_for_url("**/admin/comments**")
    page.wait_for_load_state("load")
    page.locator(".tk-admin-header").wait_for()
    dark = page.evaluate(HEADER)
    page.evaluate("document.documentElement.setAttribute('data-tk-theme', 'light')")
    forced_light = page.evaluate(HEADER)
    # A host's theme on <html> (set through the CSSOM: the console's CSP refuses inline CSS).
    page.evaluate("document.documentElement.style.setProperty('--tk-accent', 'rgb(1, 2, 3)')")
    host_accent = page.evaluate(NAV_LINK)
    way_back = page.locator(".tk-admin-way-out a").first
    back = (way_back.inner_text().startswith("Back to "), way_back.get_attribute("href"))
    context.close()
    defined = re.findall(r"--tk-[\w-]+\s*:", ADMIN_CSS.read_text(encoding="utf-8"))

    assert [] == defined
    assert (True, f"{site}/") == back  # a way back to the site, in the header
    # threadkit.css's --tk-surface: #161b22 dark, #f6f8fa light.
    assert ("rgb(22, 27, 34)", "rgb(246, 248, 250)") == (dark, forced_light)
    assert "rgb(1, 2, 3)" == host_accent


SURFACE = "getComputedStyle(document.querySelector('article.tk-comment')).backgroundColor"
WIDTHS = """() => Array.from(document.querySelectorAll('.tk-embed article.tk-comment'),
  a => a.querySelector('.tk-body').getBoundingClientRect().width)"""


def test_a_forced_scheme_and_the_phone_layout(urls: tuple[str, str], browser: Any) -> None:
    """data-tk-theme="dark" wins over a light system; at 390 px depth 5 keeps >= 250 px."""
    site, _ = urls
    context = browser.new_context(color_scheme="light", viewport={"width": 390, "height": 844})
    add_axe(context)
    page = context.new_page()
    page.goto(f"{site}/posts/second.html")
    page.locator("article.tk-comment", has_text="Depth 5").wait_for()
    widths = page.evaluate(WIDTHS)
    page.evaluate("document.documentElement.setAttribute('data-tk-theme', 'dark')")
    surface = page.evaluate(SURFACE)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "a11y-server-embed-phone-dark.png"), full_page=True)
    context.close()
    assert ("rgb(22, 27, 34)", 6, True) == (surface, len(widths), min(widths) >= 250), widths


def test_a_vote_is_announced_with_its_count(urls: tuple[str, str], browser: Any) -> None:
    """By keyboard: each vote button's name carries its count, aria-pressed the reader's vote.

    Before the vote, after it (announced), after a reload and after withdrawing it.
    """
    site, _ = urls
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site}/posts/hello.html")
    answer = page.locator("article.tk-comment", has_text="An answer")
    up = answer.locator(".tk-vote button").first
    down = answer.locator(".tk-vote button").last

    def state() -> tuple[str | None, str | None, str | None, str | None]:
        """(up's name, up pressed, down's name, down pressed)."""
        return (
            up.get_attribute("aria-label"),
            up.get_attribute("aria-pressed"),
            down.get_attribute("aria-label"),
            down.get_attribute("aria-pressed"),
        )

    expect(up).to_have_accessible_name("Upvote: 0")
    before = state()
    up.focus()
    page.keyboard.press("Enter")
    expect(up).to_have_attribute("aria-pressed", "true")
    live = page.locator(".tk-embed [aria-live=polite]")
    expect(live).to_have_text("Vote counted. Upvote: 1")
    voted = state()
    page.reload()
    expect(up).to_have_accessible_name("Upvote: 1")
    reloaded = state()
    up.focus()
    page.keyboard.press("Space")  # pressed again: the vote is withdrawn
    expect(up).to_have_attribute("aria-pressed", "false")
    withdrawn = state()
    context.close()

    assert ("Upvote: 0", "false", "Downvote: 0", "false") == before
    assert ("Upvote: 1", "true", "Downvote: 0", "false") == voted
    assert voted == reloaded
    assert before == withdrawn


BOXES = """() => {
  const box = text => [...document.querySelectorAll('.tk-embed article.tk-comment')]
    .find(a => a.textContent.includes(text)).getBoundingClientRect();
  const parent = box('Welcome'), reply = box('An answer');
  return {dir: document.querySelector('.tk-embed').dir, parentLeft: parent.left,
    parentRight: parent.right, replyLeft: reply.left, replyRight: reply.right};
}"""


def test_an_arabic_embed_indents_replies_from_the_right(
    urls: tuple[str, str], browser: Any
) -> None:
    """data-lang="ar": the section is dir="rtl"; a reply's right edge sits left of its parent's."""
    site, _ = urls
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site}/posts/hello-ar.html")
    page.locator("article.tk-comment", has_text="An answer").wait_for()
    boxes = page.evaluate(BOXES)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "a11y-server-embed-rtl.png"), full_page=True)
    context.close()
    assert ("rtl", True, True) == (
        boxes["dir"],
        boxes["replyRight"] < boxes["parentRight"] - 10,
        abs(boxes["replyLeft"] - boxes["parentLeft"]) <= 1,
    ), boxes


EXACT = """([iso, zone]) => new Intl.DateTimeFormat('de', {dateStyle: 'long', timeStyle: 'short',
  timeZone: zone}).format(new Date(iso))"""


def test_embed_times_are_relative_with_the_exact_time_on_hover(
    urls: tuple[str, str], browser: Any
) -> None:
    """A German section three hours later says "vor 3 Stunden", the Berlin time as its title."""
    site, _ = urls
    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    page.clock.set_fixed_time(datetime.now(UTC) + timedelta(hours=3))
    page.goto(f"{site}/posts/hello-de.html")
    time = page.locator("article.tk-comment", has_text="An answer").locator("time")
    time.wait_for()
    shown = (time.text_content(), time.get_attribute("title"))
    expected = page.evaluate(EXACT, [time.get_attribute("datetime"), "Europe/Berlin"])
    context.close()
    assert ("vor 3 Stunden", expected) == shown


def test_reply_cancel_and_post_by_keyboard(urls: tuple[str, str], browser: Any) -> None:
    """Keys only in the embed: Reply to the box, Cancel back to Reply, a post to the comment."""
    site, _ = urls
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site}/posts/hello.html")
    reply = "button[aria-label='Reply to Kay']"
    page.locator(reply).wait_for()
    tab_to(page, reply)
    page.keyboard.press("Enter")
    after_reply = (
        focused(page, "textarea[name=body]"),
        page.locator(".tk-respond-title").inner_text(),
    )
    tab_to(page, ".tk-cancel-reply", back=True)
    page.keyboard.press("Enter")
    after_cancel = (focused(page, reply), page.locator(".tk-respond-title").inner_text())
    page.keyboard.press("Enter")
    page.keyboard.type("A reply typed in the embed")
    sign_and_send(page, "Noa", ".tk-submit")
    new = page.locator("article.tk-comment", has_text="A reply typed in the embed")
    new.wait_for()
    expect(page.locator(".tk-embed [aria-live=polite]")).to_have_text("Your comment was posted.")
    after_post = (page.evaluate("document.activeElement.id"), new.get_attribute("data-tk-depth"))
    new_id = new.get_attribute("id")
    context.close()

    assert (True, "Reply to Kay") == after_reply
    assert (True, "Leave a Reply") == after_cancel
    assert (new_id, "2") == after_post
