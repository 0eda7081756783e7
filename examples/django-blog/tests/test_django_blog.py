"""The Django example blog boots with its one command and works for its demo users.

``run.sh`` runs in a subprocess (its own Django settings, a temporary data folder,
a free port); the test is a browser without JavaScript, speaking plain HTTP.
"""

from __future__ import annotations

import html
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parents[1]
POST = "/posts/cold-kitchen-sourdough/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    data = tmp_path_factory.mktemp("blog")
    env = dict(os.environ, DJANGO_BLOG_DATA=str(data), DJANGO_BLOG_PORT=str(port))
    log = (data / "run.log").open("wb")  # a file, not a pipe: the server's log never blocks it
    server = subprocess.Popen([str(HERE / "run.sh")], env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        # Migrations, seeding (password hashing) and imports take a while on a busy machine.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if server.poll() is not None:
                output = (data / "run.log").read_text()
                pytest.fail(f"run.sh exited with {server.returncode}:\n{output}")
            try:
                urllib.request.urlopen(base + "/", timeout=5).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the example blog did not answer within 240 seconds")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


class Browser:
    """Cookies and forms over urllib, as a browser without JavaScript would."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.base + path, data=data,
                                         headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, username: str) -> None:
        _, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        status, _ = self.post("/accounts/login/", {
            "csrfmiddlewaretoken": token.group(1), "username": username,
            "password": username, "next": POST,
        })
        assert 200 == status


def _comment_form(page: str) -> dict[str, str]:
    form = page[page.index('class="tk-form"'):]
    form = form[: form.index("</form>")]
    return {k: html.unescape(v) for k, v in re.findall(r'name="([a-z_]+)" value="([^"]*)"', form)}


def test_a_logged_in_user_comments_as_themselves(blog: str) -> None:
    """Ada logs in with Django's login page and her comment carries her full name."""
    ada = Browser(blog)
    ada.login("ada")
    status, page = ada.get(POST)
    assert 200 == status
    assert "You are commenting as <strong>Ada Lovelace</strong>" in page
    fields = dict(_comment_form(page), body="Proofed mine overnight in the cellar.")
    status, page = ada.post("/comments/threads/cold-kitchen-sourdough/comments", fields)
    assert 200 == status  # the 303 to the post, followed
    assert "Proofed mine overnight in the cellar." in page
    assert "Ada Lovelace" in page


def test_staff_moderate_and_visitors_may_not(blog: str) -> None:
    """Grace (staff) opens the queue; a visitor is asked to log in; ada may not."""
    assert 401 == Browser(blog).get("/comments/moderation")[0]
    ada = Browser(blog)
    ada.login("ada")
    assert 403 == ada.get("/comments/moderation")[0]
    grace = Browser(blog)
    grace.login("grace")
    status, page = grace.get("/comments/moderation")
    assert 200 == status
    assert "Moderation queue" in page
