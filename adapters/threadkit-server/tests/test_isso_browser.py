"""Isso 0.14's own embed.min.js, from the isso package on PyPI, runs against threadkit unchanged.

The script is downloaded at test time (``pip download --no-deps isso==0.14.*``
into ``.pytest_cache``, never committed) and served on a plain page from one
127.0.0.1 port, with ``data-isso`` pointing at threadkit-server's ``/isso/`` on
another. In headless Chromium two readers list, post, reply, edit, like and
delete. Without network the test skips, except under ``CI=true`` where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from flask import Flask
from server_support import make_app
from threadkit_flask.testing import launch_chromium, serve

from threadkit.moderation import default_pipeline
from threadkit.testing.http_server import serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
ISSO_REQUIREMENT = "isso==0.14.*"
SCRIPT = "isso/js/embed.min.js"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post</title>
<link rel="icon" href="data:,"></head><body><h1>A post</h1>
<script data-isso="{endpoint}" data-isso-vote="true" src="/embed.min.js"></script>
<section id="isso-thread" data-title="A post"></section></body></html>
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but Isso 0.14 cannot be downloaded from PyPI: {reason}")
    pytest.skip(f"Isso 0.14 cannot be downloaded from PyPI here: {reason}")


def _read_script(archive: Path) -> bytes | None:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            return wheel.read(SCRIPT) if SCRIPT in wheel.namelist() else None
    with tarfile.open(archive) as sdist:
        for member in sdist.getmembers():
            if member.name.endswith("/" + SCRIPT):
                found = sdist.extractfile(member)
                return None if found is None else found.read()
    return None


@pytest.fixture(scope="module")
def embed_min_js() -> bytes:
    """Isso 0.14's embed.min.js, read out of the package PyPI serves (downloaded once)."""
    folder = ROOT / ".pytest_cache" / "d" / "isso-0.14" / "dist"
    if not folder.is_dir():
        # Downloaded beside, then moved into place: a test worker never sees half a file.
        building = folder.with_name(f"dist-{os.getpid()}")
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q"]
        command += ["-d", str(building), ISSO_REQUIREMENT]
        try:
            subprocess.run(command, check=True, timeout=600, capture_output=True)
            building.rename(folder)
        except (subprocess.SubprocessError, OSError) as error:
            shutil.rmtree(building, ignore_errors=True)
            if not folder.is_dir():
                _unavailable(str(error))
    for archive in sorted(folder.glob("isso-0.14*")):
        script = _read_script(archive)
        if script:
            return script
    _unavailable(f"no {SCRIPT} in {sorted(p.name for p in folder.iterdir())}")
    raise AssertionError("unreachable")


class _Page(SimpleHTTPRequestHandler):
    """The static site: one page at /post/ and Isso's script at /embed.min.js."""

    pages: ClassVar[dict[str, tuple[bytes, str]]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        """Answer a known path, else 404."""
        found = self.pages.get(self.path.partition("?")[0])
        if found is None:
            self.send_error(404)
            return
        body, kind = found
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site(embed_min_js: bytes) -> Iterator[tuple[type[_Page], str]]:
    """The static site's handler class and origin (its pages are filled in by the test)."""
    handler = type(
        "Page", (_Page,), {"pages": {"/embed.min.js": (embed_min_js, "text/javascript")}}
    )
    with serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        yield handler, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def server(site: tuple[type[_Page], str], tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """threadkit-server for the site, without flood control (two readers post within seconds)."""
    handler, origin = site
    app = make_app(tmp_path / "comments.db", "--site", origin)
    engine = app.extensions["threadkit"].engine
    engine.pipeline = default_pipeline(engine.store, flood=None)
    with serve(app) as base:
        page = PAGE.format(endpoint=f"{base}/isso/").encode()
        handler.pages["/post/"] = (page, "text/html; charset=utf-8")
        yield app, f"{origin}/post/"


def bodies(app: Flask) -> list[str]:
    """The stored sources of the page's published comments, oldest first."""
    config = app.extensions["threadkit_server"]
    key = config.sites[-1].prefix + "/post/"  # the static site is the last one named
    page = app.extensions["threadkit"].engine.page(key)
    found: list[str] = []
    stack = list(reversed(page.nodes))
    while stack:
        node = stack.pop()
        found.append(node.comment.body_source)
        stack.extend(reversed(node.children))
    return found


def post(page: Any, box: Any, author: str, text: str) -> None:
    box.locator("input[name=author]").fill(author)
    box.locator("textarea.isso-textarea").fill(text)
    box.locator("input[type=submit]").click()


def test_isso_embed_lists_posts_replies_edits_likes_and_deletes(
    server: tuple[Flask, str],
) -> None:
    """Isso's own client, unchanged, drives threadkit through /isso/ from another origin."""
    app, url = server
    with launch_chromium() as browser:
        ann = browser.new_context().new_page()
        bob = browser.new_context().new_page()
        errors: list[str] = []
        for page in (ann, bob):
            page.on("pageerror", lambda error: errors.append(str(error)))
        ann.goto(url)
        post(
            ann,
            ann.locator(".isso-postbox").first,  # the thread's own form, above #isso-root
            "Ann",
            "Hello from Isso's client",
        )
        first = ann.locator("#isso-root > .isso-comment").first
        first.locator(".isso-text", has_text="Hello from Isso's client").wait_for()
        comment_id = (first.get_attribute("id") or "").removeprefix("isso-")

        bob.goto(url)  # lists what is there
        listed = bob.locator(f"#isso-{comment_id}")
        listed.locator(".isso-text", has_text="Hello from Isso's client").wait_for()
        listed.locator(".isso-comment-footer > a.isso-reply").first.click()
        reply_box = listed.locator(".isso-postbox")  # Isso puts it under the footer
        post(bob, reply_box, "Bob", "A reply from Bob")
        reply = listed.locator(".isso-follow-up .isso-comment", has_text="A reply from Bob")
        reply.wait_for()
        listed.locator(".isso-comment-footer > a.isso-upvote").first.click()
        listed.locator(".isso-comment-footer .isso-votes", has_text="1").first.wait_for()

        edit = first.locator(".isso-comment-footer > a.isso-edit").first
        edit.click()
        editor = first.locator(".isso-text-wrapper > .isso-textarea-wrapper textarea").first
        editor.wait_for()
        editor.fill("Hello, edited in Isso's client")
        edit.click()  # now "Save"
        first.locator(".isso-text", has_text="Hello, edited in Isso's client").first.wait_for()

        delete = reply.locator(".isso-comment-footer > a.isso-delete").first
        delete.click()  # asks to confirm
        delete.click()
        reply.wait_for(state="detached")

        assert ["Hello, edited in Isso's client"] == bodies(app)
        fresh = browser.new_context().new_page()
        fresh.goto(url)
        shown = fresh.locator(f"#isso-{comment_id}")
        shown.locator(".isso-text", has_text="Hello, edited in Isso's client").wait_for()
        assert "1" == shown.locator(".isso-votes").first.inner_text().strip()
        assert 0 == shown.locator(".isso-follow-up .isso-comment").count()
        assert 0 == shown.locator("a.isso-edit").count()  # not the author: no edit button

        ann_delete = first.locator(".isso-comment-footer > a.isso-delete").first
        ann_delete.click()
        ann_delete.click()
        first.wait_for(state="detached")
        assert [] == bodies(app)
        assert [] == errors
