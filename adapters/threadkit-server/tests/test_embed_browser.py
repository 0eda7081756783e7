"""The one-tag embed on a static site, in headless Chromium with third-party cookies blocked.

The example site's plain HTML pages are served from one 127.0.0.1 port, the
comment server from another (reached as ``localhost``, so the two are different
sites and the server's cookies would be third-party ones). Screenshots go to
``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from embed_support import as_localhost, serve_site, site_url, strict_browser
from flask import Flask, session
from threadkit_flask import ThreadKit
from werkzeug.serving import make_server

from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.identity import AnonymousProvider, CallableSessionProvider
from threadkit.memory import MemoryStore
from threadkit.models import Candidate, Identity, Submission, Verdict
from threadkit.moderation import Pipeline
from threadkit.testing.http_server import serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


class HoldWords:
    """A moderation step that holds comments containing HOLDME."""

    name = "embed-words"

    def check(self, candidate: Candidate) -> Verdict:
        if "HOLDME" in candidate.body:
            return Verdict.hold(self.name, "held_word", "Contains a word to review.")
        return Verdict.accept()


def site_user(request: object) -> Identity | None:
    user = session.get("user")
    return Identity("site", user, user.title(), verified=True) if isinstance(user, str) else None


def comment_app(engine: CommentEngine, site: str, server: str) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="embed test secret",
        THREADKIT_THREAD_POLICY="any",
        THREADKIT_CORS_ORIGINS=[site],
        THREADKIT_BASE_URL=server,
    )
    ThreadKit(
        app,
        engine=engine,
        providers=[CallableSessionProvider("site", site_user), AnonymousProvider()],
        is_moderator=lambda who: who is not None and who.key == "site:mod",
    )
    static = Path(__file__).resolve().parents[1] / "src" / "threadkit_server" / "static"

    @app.get("/comments/embed.<ext>")
    def embed(ext: str) -> Any:
        kind = {"js": "text/javascript", "css": "text/css"}[ext]
        return (static / f"embed.{ext}").read_text(), 200, {"Content-Type": kind}

    @app.get("/login/<user>")
    def login(user: str) -> str:
        session["user"] = user
        return "ok"

    return app


@pytest.fixture(scope="module")
def engine() -> CommentEngine:
    engine = CommentEngine(
        MemoryStore(),
        pipeline=Pipeline([HoldWords()]),
        policy=EnginePolicy(max_display_depth=3, top_limit=20, total_limit=8),
    )
    seeder = Identity("anonymous", "seed-embed", "Grace")
    engine.post("second", Submission("A comment on the second post"), seeder)
    top = engine.post("hello", Submission("Welcome to the *static* site"), seeder)
    for number in range(10):
        engine.post("hello", Submission(f"Answer {number}", parent_id=top.id), seeder)
    return engine


class _Later:
    """A WSGI app built once its server's port is known (the app's settings name it)."""

    app: Flask | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.app is not None
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def urls(engine: CommentEngine) -> Iterator[tuple[str, str]]:
    """(site, comment server) base URLs: two 127.0.0.1 ports, two sites."""
    later = _Later()
    with serve_site() as site_server, serve_in_thread(make_server("127.0.0.1", 0, later)) as wsgi:
        site = site_url(site_server)
        server = f"http://localhost:{wsgi.server_port}"
        later.app = comment_app(engine, site, server)
        site_server.comment_server = server + "/comments"
        yield site, server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with strict_browser() as context:
        yield context


def watch_errors(page: Any) -> list[str]:
    """Collect script errors and console errors reported by the page."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    return errors


def comment(page: Any, text: str) -> Any:
    return page.locator("article.tk-comment", has_text=text)


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
    link = page.locator("[data-threadkit-count=hello]")
    page.wait_for_function(
        "document.querySelector('[data-threadkit-count=second]').textContent !== 'Comments'"
    )
    assert "11 comments" == link.inner_text()
    assert "1 comment" == page.locator("[data-threadkit-count=second]").inner_text()
    assert [f"{server}/comments/api/counts?thread=hello&thread=second"] == asked
    assert [] == errors
    page.close()


def test_thread_post_reply_edit_vote_delete(urls: tuple[str, str], browser: Any) -> None:
    """On a static page: the thread, "N more replies", post, reply, edit, vote, delete."""
    site, server = urls
    page = browser.new_page()
    errors = watch_errors(page)
    page.goto(f"{site}/posts/hello.html")
    comment(page, "Welcome to the static site").wait_for()
    assert "11 comments" == page.locator(".tk-title").inner_text()
    more = page.get_by_role("button", name="3 more replies")
    more.click()
    page.get_by_role("button", name="More replies").click()  # the subtree's second page
    comment(page, "Answer 9").wait_for()
    assert 10 == page.locator("[data-tk-item] [data-tk-item]").count()

    page.get_by_label("Name").fill("Ada")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Comment", exact=True).fill("Hello from a static page")
    page.get_by_role("button", name="Post Comment").click()
    posted = comment(page, "Hello from a static page")
    posted.wait_for()
    assert (posted.get_attribute("id") or "x") == page.evaluate("document.activeElement.id")
    assert "12 comments" == page.locator(".tk-title").inner_text()

    posted.get_by_role("button", name="Reply to Ada").click()
    page.get_by_label("Comment", exact=True).fill("Replying to myself")
    page.get_by_role("button", name="Post Comment").click()
    reply = comment(page, "Replying to myself")
    reply.wait_for()
    assert "1" == reply.get_attribute("data-tk-depth")

    reply.get_by_role("button", name="Edit").click()
    page.get_by_label("Edit your comment").fill("Replying, edited")
    page.get_by_role("button", name="Save changes").click()
    comment(page, "Replying, edited").wait_for()

    welcome = comment(page, "Welcome to the static site")
    welcome.get_by_role("button", name="Vote up").click()
    page.wait_for_function(
        "document.querySelector('article[data-tk-depth=\"0\"] .tk-score').textContent === '1'"
    )
    assert "true" == welcome.get_by_role("button", name="Vote up").get_attribute("aria-pressed")
    shot(page, "thread")

    page.once("dialog", lambda dialog: dialog.accept())
    comment(page, "Replying, edited").get_by_role("button", name="Delete").click()
    comment(page, "Replying, edited").wait_for(state="detached")

    page.reload()
    comment(page, "Answer 6").wait_for()
    # The first page is full (total_limit 8): the newer comment is on the next one.
    assert 0 == comment(page, "Hello from a static page").count()
    page.get_by_role("button", name="More comments").click()
    comment(page, "Hello from a static page").wait_for()
    assert 0 == comment(page, "Replying, edited").count()
    assert "12 comments" == page.locator(".tk-title").inner_text()
    assert "Ada" == page.get_by_label("Name").input_value()
    assert [] == errors
    assert [] == browser.cookies(server)
    page.close()


def test_problem_detail_is_shown(urls: tuple[str, str], browser: Any) -> None:
    """A refused post shows the server's problem+json detail and marks the field."""
    site, _ = urls
    page = browser.new_page()
    page.goto(f"{site}/posts/second.html")
    comment(page, "A comment on the second post").wait_for()
    page.get_by_label("Comment", exact=True).fill("   ")
    page.get_by_role("button", name="Post Comment").click()
    alert = page.locator(".tk-respond .tk-error")
    alert.wait_for()
    assert "empty" in alert.inner_text().lower()
    assert "true" == page.get_by_label("Comment", exact=True).get_attribute("aria-invalid")
    page.close()


def test_held_comment_approved_by_moderator(
    urls: tuple[str, str], browser: Any, engine: CommentEngine
) -> None:
    """A held comment is "awaiting moderation" for its author; once approved, public."""
    site, server = urls
    page = browser.new_page()
    page.goto(f"{site}/posts/second.html")
    comment(page, "A comment on the second post").wait_for()
    page.get_by_label("Name").fill("Hal")
    page.get_by_label("Comment", exact=True).fill("Please review HOLDME")
    page.get_by_role("button", name="Post Comment").click()
    held = comment(page, "Please review HOLDME")
    held.wait_for()
    assert "Your comment is awaiting moderation." in held.inner_text()

    moderator = browser.new_page()
    moderator.goto(f"{server}/login/mod")
    moderator.goto(f"{server}/comments/moderation")
    item = moderator.locator("li", has_text="Please review HOLDME")
    item.get_by_role("button", name="Approve").click()
    moderator.wait_for_load_state()
    moderator.close()

    reader = browser.new_page()
    reader.goto(f"{site}/posts/second.html")
    shown = comment(reader, "Please review HOLDME")
    shown.wait_for()
    assert "awaiting moderation" not in shown.inner_text()
    assert "2 comments" == reader.locator(".tk-title").inner_text()
    reader.close()
    page.close()


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"embed-{name}.png"), full_page=True)
