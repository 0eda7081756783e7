"""The one-tag embed on a static site, in headless Chromium with third-party cookies blocked.

The example site's plain HTML pages (``examples/static-site``) are served from
one 127.0.0.1 port and ``threadkit-server`` (its real app, SQLite, the default
moderation pipeline) from another, reached as ``localhost`` so the two are
different sites: the server's cookies would be third-party ones in the page.
Logins go through the local OpenID Connect test server in a popup. Screenshots
go to ``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from embed_support import as_localhost, serve_site, site_url, strict_browser
from flask import Flask
from playwright.sync_api import expect
from threadkit_flask import get_state
from threadkit_server import create_app, load_config
from threadkit_social.testing_server import CLIENT_ID, CLIENT_SECRET, IdentityServer
from werkzeug.serving import make_server

from threadkit.engine import CommentEngine
from threadkit.models import Actor, Identity, Submission
from threadkit.testing.http_server import serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
ADMIN_PASSWORD = "embed-test-admin"  # a test fixture, not a credential
HELD = "Please look: [one](https://a.example) [two](https://b.example) [three](https://c.example)"
"""Three links: the default pipeline's LinkLimit holds it for a moderator."""

BUSY_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Busy</title><link rel="icon" href="data:,"></head><body><h1>Busy</h1>
<script src="http://localhost:8080/embed.js" data-thread="busy" data-total-limit="8" async>
</script></body></html>
"""
"""A page of the test's own: a thread whose first page is cut at 8 comments."""

POLISH_PAGE = BUSY_PAGE.replace('lang="en"', 'lang="pl"')
"""The same thread on a page written in Polish: the embed speaks the page's language."""

SORTS_PAGE = BUSY_PAGE.replace('data-thread="busy" data-total-limit="8"', 'data-thread="sorts"')
"""A thread of its own for the sort test: three top-level comments, the middle one voted up."""


class _Later:
    """A WSGI app built once its server's port is known (the app's settings name it)."""

    app: Flask | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.app is not None
        return self.app(environ, start_response)


def seed(engine: CommentEngine, prefix: str) -> None:
    """Comments already there: 1 on "second", 3 on "hello", 11 on "busy", 3 on "sorts".

    Each by its own author: the default pipeline's flood control allows one
    comment per author every 15 s.
    """

    def add(key: str, body: str, author: str, parent: int | None = None) -> int:
        who = Identity("anonymous", author, author.title())
        return engine.post(prefix + key, Submission(body, parent_id=parent), who).id

    add("second", "A comment on the second post", "grace")
    hello = add("hello", "Welcome, *static* site", "lin")
    for number in range(2):
        add("hello", f"Early answer {number}", f"early{number}", hello)
    busy = add("busy", "Popular", "pop")
    for number in range(10):
        add("busy", f"Answer {number}", f"busy{number}", busy)
    # The sort test's own thread, so it needs no other test's posts or votes.
    liked = [add("sorts", f"Sorted {number}", f"sort{number}") for number in range(3)][1]
    engine.vote(liked, Actor(identity=Identity("anonymous", "fan", "Fan")), 1)


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityServer]:
    with IdentityServer() as server:
        yield server


@pytest.fixture(scope="module")
def urls(
    idp: IdentityServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(site, comment server) base URLs: two 127.0.0.1 ports, two sites."""
    later = _Later()
    db = tmp_path_factory.mktemp("embed") / "comments.db"
    wsgi = make_server("127.0.0.1", 0, later, threaded=True)
    with serve_site() as site_server, serve_in_thread(wsgi):
        site = site_url(site_server)
        server = f"http://localhost:{wsgi.server_port}"
        argv = ["--site", site, "--db", f"sqlite:///{db}", "--upgrade", "--dev"]
        argv += ["--public-url", server, "--admin-password", ADMIN_PASSWORD]
        for setting in (
            f"OIDC_DISCOVERY_URL={idp.base_url}/.well-known/openid-configuration",
            f"OIDC_CLIENT_ID={CLIENT_ID}",
            f"OIDC_CLIENT_SECRET={CLIENT_SECRET}",
            "OIDC_LABEL=Test IdP",
        ):
            argv += ["--login", setting]
        config = load_config(argv, environ={})
        later.app = create_app(config)
        seed(get_state(later.app).engine, config.sites[0].prefix)
        site_server.comment_server = server
        site_server.extra_pages["/posts/busy.html"] = BUSY_PAGE
        site_server.extra_pages["/posts/polski.html"] = POLISH_PAGE
        site_server.extra_pages["/posts/sorts.html"] = SORTS_PAGE
        yield site, server


PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
"""A 1x1 PNG: the test IdP's users have their picture on avatars.example, not reachable here."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with strict_browser() as context:
        context.route(
            "https://avatars.example/**",
            lambda route: route.fulfill(status=200, content_type="image/png", body=PIXEL),
        )
        yield context


FLOOD_LOG = "Failed to load resource: the server responded with a status of 429"
"""What Chromium logs for a 429, which post() waits out and the embed shows."""


def watch_errors(page: Any) -> list[str]:
    """Collect script errors and console errors reported by the page (429 answers aside)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith(FLOOD_LOG):
            errors.append(message.text)

    page.on("console", console)
    return errors


def comment(page: Any, text: str) -> Any:
    """The comment article with ``text`` in it."""
    return page.locator("article.tk-comment", has_text=text)


def open_post(page: Any, url: str, first: str) -> None:
    """Open the post page at ``url`` and wait until the embed shows the comment ``first``."""
    page.goto(url)
    comment(page, first).wait_for()


def open_watched(browser: Any, url: str, first: str) -> tuple[Any, list[str]]:
    """:func:`open_post` in a new page whose errors are collected; the page and its errors."""
    page = browser.new_page()
    errors = watch_errors(page)
    open_post(page, url, first)
    return page, errors


def write(page: Any, body: str, *, name: str, email: str = "") -> None:
    """Fill the comment form as a guest: name, email when given, and the comment."""
    page.get_by_label("Name").fill(name)
    if email:
        page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Comment", exact=True).fill(body)


def _is_post(response: Any) -> bool:
    return bool(response.request.method == "POST" and "/api/" in response.url)


def post(page: Any) -> list[str]:
    """Click Post Comment; after a 429 wait as long as it says, then click again.

    The server's default pipeline takes one comment per 15 s from an address,
    and every test post comes from 127.0.0.1. Returns the details shown for 429s.
    """
    shown: list[str] = []
    for _ in range(3):
        with page.expect_response(_is_post) as info:
            page.get_by_role("button", name="Post Comment").click()
        answer = info.value
        if answer.status != 429:
            return shown
        alert = page.locator(".tk-respond .tk-error")
        alert.wait_for()
        shown.append(alert.inner_text())
        page.wait_for_timeout(1000 * (float(answer.json()["retry_after"]) + 0.5))
    raise AssertionError("still refused after waiting")


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"embed-{name}.png"), full_page=True)


def test_third_party_cookies_are_blocked() -> None:
    """The test browser stores no third-party cookie; a browser that allows them stores it."""
    stored = {}
    with serve_site() as site_server:
        site = site_url(site_server)
        frame = as_localhost(site) + "/set-cookie"
        for block in (True, False):
            with strict_browser(block_third_party_cookies=block) as context:
                page = context.new_page()
                page.goto(f"{site}/probe?frame={frame}")
                page.frame_locator("iframe").locator("body").wait_for()
                stored[block] = [c["name"] for c in context.cookies(as_localhost(site))]
    assert {True: [], False: ["tk-probe"]} == stored


def test_count_links_with_one_request(urls: tuple[str, str], browser: Any) -> None:
    """The index page's count links get their text from one /api/counts request."""
    site, server = urls
    page = browser.new_page()
    errors = watch_errors(page)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
    page.goto(f"{site}/")
    # Locator waits, not wait_for_function: the page's CSP forbids eval.
    expect(page.locator("[data-threadkit-count=second]")).to_have_text("1 comment")
    assert "3 comments" == page.locator("[data-threadkit-count=hello]").inner_text()
    assert "1 comment" == page.locator("[data-threadkit-count=second]").inner_text()
    assert [f"{server}/api/counts?thread=hello&thread=second"] == asked
    assert [] == errors
    page.close()


def test_more_replies(urls: tuple[str, str], browser: Any) -> None:
    """A thread cut by its page size offers "N more replies", which loads the rest."""
    site, _ = urls
    page = browser.new_page()
    open_post(page, f"{site}/posts/busy.html", "Answer 6")
    assert 0 == comment(page, "Answer 7").count()
    page.get_by_role("button", name="1 more reply").click()  # a batch of 8 adds Answer 7
    page.get_by_role("button", name="More replies").click()  # the subtree's second page
    comment(page, "Answer 9").wait_for()
    assert 10 == page.locator("[data-tk-item] [data-tk-item]").count()
    page.close()


POLISH_REPLIES = "Powiadom mnie e-mailem o odpowiedziach"  # "Email me when someone replies"


def test_embed_speaks_the_page_language(urls: tuple[str, str], browser: Any) -> None:
    """On a page with lang="pl", the heading, buttons and form are Polish, plurals included."""
    site, _ = urls
    page = browser.new_page()
    errors = watch_errors(page)
    page.goto(f"{site}/posts/polski.html")
    expect(page.locator(".tk-title")).to_have_text("11 komentarzy")
    assert [
        "Najstarsze",
        "jeszcze 1 odpowiedź",
        "Dodaj komentarz",
        "Opublikuj komentarz",
        "pl",
        False,
        False,
        False,
        [],
    ] == [
        page.locator("[data-tk-sort=oldest]").inner_text(),
        page.locator(".tk-item .tk-more").first.inner_text(),
        page.locator(".tk-respond-title").inner_text(),
        page.locator(".tk-submit").inner_text(),
        page.locator(".tk-embed").get_attribute("lang"),
        page.locator("[data-tk-remember]").is_checked(),  # opt-in: off until ticked
        page.get_by_label("Powiadamiaj mnie o nowych komentarzach pod tym wpisem").is_checked(),
        page.get_by_label(POLISH_REPLIES).is_checked(),
        errors,
    ]
    page.close()


def test_post_reply_edit_vote_delete(urls: tuple[str, str], browser: Any) -> None:
    """On a static page: post, reply, edit, vote and delete, with no cookie of the server's."""
    site, server = urls
    page, errors = open_watched(browser, f"{site}/posts/hello.html", "Welcome, static site")
    assert "3 comments" == page.locator(".tk-title").inner_text()

    write(page, "Hello from a static page", name="Ada", email="ada@example.org")
    # Opt-in (off by default): only a ticked box keeps the details for the next visit.
    page.get_by_label("Remember my details in this browser").check()
    page.get_by_label("Notify me of new comments on this post").check()
    page.get_by_label("Email me when someone replies").check()
    with page.expect_request(lambda r: r.method == "POST" and "/api/" in r.url) as sent:
        post(page)
    assert (True, True) == (
        sent.value.post_data_json["notify_thread"], sent.value.post_data_json["notify_replies"]
    )  # fmt: skip
    posted = comment(page, "Hello from a static page")
    posted.wait_for()
    assert (posted.get_attribute("id") or "x") == page.evaluate("document.activeElement.id")
    assert "4 comments" == page.locator(".tk-title").inner_text()

    posted.get_by_role("button", name="Reply to Ada").click()
    page.get_by_label("Comment", exact=True).fill("Replying to myself")
    waits = post(page)
    assert 1 == len(waits)
    assert "second" in waits[0]  # the 429's detail, shown as the server sent it
    reply = comment(page, "Replying to myself")
    reply.wait_for()
    assert "1" == reply.get_attribute("data-tk-depth")

    reply.get_by_role("button", name="Edit").click()
    page.get_by_label("Edit your comment").fill("Replying, edited")
    page.get_by_role("button", name="Save changes").click()
    comment(page, "Replying, edited").wait_for()

    welcome = comment(page, "Welcome, static site")
    welcome.get_by_role("button", name="Upvote: 0").click()
    expect(welcome.locator(".tk-score")).to_have_text("1")
    assert "true" == welcome.get_by_role("button", name="Upvote: 1").get_attribute("aria-pressed")
    shot(page, "thread")

    page.once("dialog", lambda dialog: dialog.accept())
    comment(page, "Replying, edited").get_by_role("button", name="Delete").click()
    comment(page, "Replying, edited").wait_for(state="detached")

    page.reload()
    comment(page, "Hello from a static page").wait_for()
    assert 0 == comment(page, "Replying, edited").count()
    assert "4 comments" == page.locator(".tk-title").inner_text()
    assert "Ada" == page.get_by_label("Name").input_value()
    assert page.get_by_label("Remember my details in this browser").is_checked()
    assert "1" == comment(page, "Welcome, static site").locator(".tk-score").inner_text()
    assert [] == errors
    assert [] == browser.cookies(server)
    page.close()


def test_problem_detail_is_shown(urls: tuple[str, str], browser: Any) -> None:
    """A refused post shows the server's problem+json detail and marks the field."""
    site, _ = urls
    page = browser.new_page()
    open_post(page, f"{site}/posts/second.html", "A comment on the second post")
    page.get_by_label("Comment", exact=True).fill("   ")
    post(page)
    alert = page.locator(".tk-respond .tk-error")
    alert.wait_for()
    assert "Please write a comment before posting." == alert.inner_text()
    assert "true" == page.get_by_label("Comment", exact=True).get_attribute("aria-invalid")
    page.close()


def test_held_comment_approved_by_moderator(urls: tuple[str, str], browser: Any) -> None:
    """A held comment is "awaiting moderation" for its author; approved in the queue, public."""
    site, server = urls
    page = browser.new_page()
    open_post(page, f"{site}/posts/second.html", "A comment on the second post")
    write(page, HELD, name="Hal")
    post(page)
    held = comment(page, "Please look")
    held.wait_for()
    assert "Your comment is awaiting moderation." in held.inner_text()
    shot(page, "held")

    moderator = browser.new_page()
    moderator.goto(f"{server}/admin/login")
    moderator.get_by_label("Password").fill(ADMIN_PASSWORD)
    moderator.get_by_role("button", name="Log in").click()
    item = moderator.locator("li", has_text="Please look")
    with moderator.expect_navigation():
        item.get_by_role("button", name="Approve").click()
    assert 0 == moderator.locator("li", has_text="Please look").count()
    moderator.close()

    reader = browser.new_page()
    reader.goto(f"{site}/posts/second.html")
    shown = comment(reader, "Please look")
    shown.wait_for()
    assert "awaiting moderation" not in shown.inner_text()
    assert "2 comments" == reader.locator(".tk-title").inner_text()
    reader.close()
    page.close()


def test_login_in_a_popup(urls: tuple[str, str], browser: Any) -> None:
    """Log in through the OIDC server in a popup; post as that login; log out."""
    site, server = urls
    page, errors = open_watched(browser, f"{site}/posts/hello.html", "Welcome, static site")
    key = f"threadkit:{server}"
    before = page.evaluate(f"localStorage.getItem({key!r})")
    # A message from any origin but the server's is ignored (here: the page's own).
    forged = "{type: 'threadkit:login', token: 'forged'}"
    page.evaluate(f"window.postMessage({forged}, '*')")
    page.wait_for_timeout(200)  # a posted message is delivered in a later task
    assert before == page.evaluate(f"localStorage.getItem({key!r})")
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Log in with Test IdP").click()
    opened.value.wait_for_event("close")
    who = page.locator(".tk-as")
    who.wait_for()
    assert who.inner_text().startswith("You are commenting as Ada Lovelace")
    assert 0 == page.get_by_label("Name").count()

    page.get_by_label("Comment", exact=True).fill("Logged in and commenting")
    post(page)
    mine = comment(page, "Logged in and commenting")
    mine.wait_for()
    assert "Ada Lovelace" in mine.locator(".tk-author").inner_text()
    assert 1 == mine.locator(".tk-badge-verified").count()
    shot(page, "logged-in")

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Name").wait_for()
    assert 0 == page.locator(".tk-as").count()
    assert [] == errors
    page.close()


BACKGROUND = "getComputedStyle(document.querySelector('article.tk-comment')).backgroundColor"


def test_colour_scheme_and_theme(urls: tuple[str, str], browser: Any) -> None:
    """The embed follows the page's colour scheme, and a custom property set by the host wins."""
    site, _ = urls
    page = browser.new_page()
    errors = watch_errors(page)
    seen = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        open_post(page, f"{site}/posts/second.html", "A comment on the second post")
        seen[scheme] = page.evaluate(BACKGROUND)
    shot(page, "dark")
    assert {"light": "rgb(246, 248, 250)", "dark": "rgb(22, 27, 34)"} == seen
    # CSSOM, not an inline <style>: the example pages' CSP allows no inline style.
    page.evaluate("document.documentElement.style.setProperty('--tk-surface', 'rgb(1, 2, 3)')")
    assert "rgb(1, 2, 3)" == page.evaluate(BACKGROUND)
    assert [] == errors
    page.close()


def test_a_lost_answer_is_stored_once(urls: tuple[str, str], browser: Any) -> None:
    """A post stored but whose answer never arrived, sent again, is the same one comment."""
    site, _ = urls
    created: list[int] = []

    def lose_first_answer(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch()
        while answer.status == 429:  # flood control: wait as told, send the same request
            time.sleep(float(answer.json()["retry_after"]) + 0.5)
            answer = route.fetch()
        if answer.status == 201 and not created:
            created.append(answer.json()["id"])
            route.abort()  # stored, but the page never hears of it
        else:
            route.fulfill(response=answer)

    # route.fetch() sends the context's cookies, whatever the page's credentials mode:
    # drop the ones the admin's and the popup's first-party visits left on the server.
    browser.clear_cookies()
    page = browser.new_page()
    page.route("**/api/threads/*/comments", lose_first_answer)
    open_post(page, f"{site}/posts/second.html", "A comment on the second post")
    write(page, "Said once", name="Retry")
    page.get_by_role("button", name="Post Comment").click()
    alert = page.locator(".tk-respond .tk-error")
    alert.wait_for()
    assert "Could not reach the comment server" in alert.inner_text()
    assert 1 == len(created)

    post(page)
    shown = comment(page, "Said once")
    shown.wait_for()
    assert f"tk-comment-{created[0]}" == shown.get_attribute("id")
    page.reload()
    comment(page, "Said once").wait_for()
    assert 1 == comment(page, "Said once").count()
    page.close()


def test_a_stale_token_is_replaced(urls: tuple[str, str], browser: Any) -> None:
    """A token the server refuses (401) is swapped for a new anonymous one; the thread shows."""
    site, server = urls
    page = browser.new_page()
    errors = watch_errors(page)
    key = f"threadkit:{server}"
    open_post(page, f"{site}/posts/second.html", "A comment on the second post")
    page.evaluate(f"localStorage.setItem({key!r}, 'not-a-token')")
    page.reload()
    comment(page, "A comment on the second post").wait_for()
    page.get_by_label("Name").wait_for()
    token = page.evaluate(f"localStorage.getItem({key!r})")
    assert token not in (None, "not-a-token")
    assert all("401" in error for error in errors)  # Chromium logs the refused call
    page.close()


def test_sort_orders(urls: tuple[str, str], browser: Any) -> None:
    """Oldest, Newest and Top reorder the top-level comments, as the server sorts them."""
    site, _ = urls
    page = browser.new_page()
    open_post(page, f"{site}/posts/sorts.html", "Sorted 0")
    tops = page.locator("ol.tk-comments > li > article .tk-body")
    orders = {}
    for name in ("Oldest", "Newest", "Top"):
        sort = page.get_by_role("button", name=name, exact=True)
        sort.click()
        expect(sort).to_have_attribute("aria-pressed", "true")
        orders[name] = [text.strip() for text in tops.all_inner_texts()]
    assert ["Sorted 0", "Sorted 1", "Sorted 2"] == orders["Oldest"]
    assert orders["Oldest"][::-1] == orders["Newest"]
    assert "Sorted 1" == orders["Top"][0]  # the one comment with a vote
    page.close()
