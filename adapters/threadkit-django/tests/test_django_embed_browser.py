"""The one-tag embed on a static page, its thread kept by a Django site, in headless Chromium.

pytest-django's ``live_server`` runs the Django test site (threadkit's URLs under
``/comments/``, threadkit's SQL store on SQLite) on ``localhost``; a plain HTML
page is served from ``127.0.0.1``, another site, so the Django site's cookies
would be third-party ones in it, and the browser blocks those (as Safari and
Firefox do). The page holds only ``<script src=".../comments/embed.js">``: the
reader lists the thread, posts and replies with a bearer token, never a cookie.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django_api import sender
from threadkit_django import get_state, state
from threadkit_sqlalchemy import SqlCommentStore
from tkdjango_site.browser import chromium_beside_the_orm
from tkdjango_site.stores import database

from threadkit.models import Identity, Submission
from threadkit.testing import api_steps
from threadkit.testing.http_server import serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
KEY = "static-hello"
"""The thread the static page names; the site's policy takes keys starting "static-"."""

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Hello</title>
<link rel="icon" href="data:,"></head><body><h1>A static page</h1>
<script src="{server}/comments/embed.js" data-thread="{key}" async></script>
</body></html>
"""


def static_keys(key: str) -> bool:
    """The site's THREADKIT_THREAD_POLICY: the static site's threads are named "static-...".

    Its pages render no form of the Django site's, so no thread token comes with a
    post: the default policy ("rendered") would refuse a thread nobody created yet.
    """
    return key.startswith("static-")


class _PageHandler(BaseHTTPRequestHandler):
    """Serves the server's ``pages``: path -> HTML."""

    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        """Answer a page, or 404."""
        body = self.server.pages.get(self.path, "").encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def static_site(pages: dict[str, str]) -> Iterator[str]:
    """Serve ``pages`` on 127.0.0.1; yield the site's origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    server.pages = pages  # type: ignore[attr-defined]
    with serve_in_thread(server):
        yield f"http://127.0.0.1:{server.server_port}"


@contextmanager
def cookie_blocking() -> Iterator[Any]:
    """A Chromium context of a real profile set to "Block third-party cookies".

    Playwright's throwaway contexts are incognito ones, whose cookie controls no
    preference reaches; a persistent profile takes ``profile.cookie_controls_mode``.
    """
    with chromium_beside_the_orm() as browser, tempfile.TemporaryDirectory() as profile:
        (Path(profile) / "Default").mkdir()
        preferences = {"profile": {"cookie_controls_mode": 1}}
        (Path(profile) / "Default" / "Preferences").write_text(json.dumps(preferences))
        context = browser.browser_type.launch_persistent_context(
            profile,
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite store; no moderation steps (the test posts twice in a second)."""
    with database("sqlite", tmp_path) as url:
        settings = {
            "STORE": "threadkit_sqlalchemy:SqlCommentStore",
            "STORE_ARGS": [url],
            "ENGINE": "tkdjango_site.engines:plain",
        }
        with override_settings(THREADKIT=settings):
            call_command("threadkit", "migrate", verbosity=0)
            state.reset_state()
            yield url
            state.reset_state()


@pytest.fixture
def site(live_server: Any, store_url: str) -> Iterator[tuple[str, str]]:
    """(static site, Django site) origins: the Django site lets the static pages in."""
    server = str(live_server.url)
    assert server.startswith("http://localhost:")  # not 127.0.0.1: another site
    pages: dict[str, str] = {}
    with static_site(pages) as origin:
        for path, lang in (("/en.html", "en"), ("/de.html", "de")):
            pages[path] = PAGE.format(lang=lang, server=server, key=KEY)
        with override_settings(
            THREADKIT_CORS_ORIGINS=[origin], THREADKIT_THREAD_POLICY=static_keys
        ):
            state.reset_state()
            who = Identity("anonymous", "grace", "Grace")
            get_state().engine.post(KEY, Submission("Already here"), who)
            yield origin, server
            state.reset_state()


def comment(page: Any, text: str) -> Any:
    """The comment article with ``text`` in it."""
    return page.locator("article.tk-comment", has_text=text)


def test_the_embed_files_and_catalog_are_served_for_other_sites(client: Client) -> None:
    """embed.js, embed.css and embed/i18n: cacheable, loadable cross-site, revalidated by ETag."""
    script = client.get("/comments/embed.js")
    again = client.get("/comments/embed.js", headers={"If-None-Match": script["ETag"]})
    css = client.get("/comments/embed.css")
    catalog = client.get("/comments/embed/i18n?lang=de-AT")
    assert [
        (200, "text/javascript; charset=utf-8", "public, max-age=3600", "cross-origin"),
        (304, b""),
        (200, "text/css; charset=utf-8"),
        (200, "*", "de", "Kommentar abschicken"),
        (200, 405),
    ] == [
        (
            script.status_code,
            script["Content-Type"],
            script["Cache-Control"],
            script["Cross-Origin-Resource-Policy"],
        ),
        (again.status_code, again.content),
        (css.status_code, css["Content-Type"]),
        (
            catalog.status_code,
            catalog["Access-Control-Allow-Origin"],
            catalog.json()["lang"],
            catalog.json()["messages"]["Post Comment"],
        ),
        (
            client.head("/comments/embed.css").status_code,
            client.post("/comments/embed.js").status_code,
        ),
    ]


def test_post_and_reply_from_a_static_page(site: tuple[str, str], store_url: str) -> None:
    """The embed lists the Django thread, posts and replies; both are in the SQL store."""
    origin, server = site
    with cookie_blocking() as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{origin}/en.html")
        comment(page, "Already here").wait_for()
        assert "1 comment" == page.locator(".tk-title").inner_text()

        page.get_by_label("Name").fill("Ada")
        page.get_by_label("Comment", exact=True).fill("Hello from a static page")
        page.get_by_role("button", name="Post Comment").click()
        posted = comment(page, "Hello from a static page")
        posted.wait_for()
        posted.get_by_role("button", name="Reply to Ada").click()
        page.get_by_label("Comment", exact=True).fill("Replying to myself")
        page.get_by_role("button", name="Post Comment").click()
        reply = comment(page, "Replying to myself")
        reply.wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "django-embed.png"), full_page=True)

        german = context.new_page()
        german.goto(f"{origin}/de.html")
        german.get_by_role("button", name="Kommentar abschicken").wait_for()
        shown = (
            reply.get_attribute("data-tk-depth"),
            page.locator(".tk-title").inner_text(),
            errors,
        )
        cookies = context.cookies(server)
    assert ("1", "3 comments", []) == shown
    assert [] == cookies  # the token lives in the page's localStorage, not in a cookie
    stored = SqlCommentStore(store_url)
    try:
        saved = {c.body_source: c for c in stored.recent(10, KEY)}
    finally:
        stored.close()
    parent = saved["Hello from a static page"]
    assert (parent.id, "Ada", "anonymous") == (
        saved["Replying to myself"].parent_id,
        parent.author.name,
        parent.author.provider,
    )


def test_the_policy_names_the_threads_other_sites_may_open(
    site: tuple[str, str], client: Client
) -> None:
    """From the listed site, a new "static-" thread takes a post; any other key is a 404."""
    origin, _ = site
    token = api_steps.new_token(sender(client), "/comments/api", origin)
    answers = [
        client.post(
            f"/comments/api/threads/{key}/comments",
            {"body": "Hi", "name": "Ada"},
            content_type="application/json",
            headers=api_steps.bearer(token, origin),
        )
        for key in ("static-new", "about")
    ]
    assert [201, (404, "thread_not_found")] == [
        answers[0].status_code,
        (answers[1].status_code, answers[1].json()["code"]),
    ]
