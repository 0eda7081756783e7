"""The moderation admin in headless Chromium, with the keyboard only.

Log in, skip to the content, tick two held comments, approve them in one go,
then ban the author of the third; every step by Tab, Space and Enter, each
focused control visibly outlined. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_support import make_app
from threadkit_flask import get_state
from threadkit_flask.testing import launch_chromium, serve

from threadkit.models import Identity, RequestContext, Status, Submission
from threadkit.ports import AdminStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
ADMIN_PASSWORD = "admin-browser-test"  # a test fixture, not a credential
FOCUSED = "document.activeElement"


@pytest.fixture
def admin_url(tmp_path: Path) -> Iterator[tuple[str, list[int]]]:
    """The server's base URL and the ids of three held comments on a.example."""
    app = make_app(tmp_path / "admin.db", "--admin-password", ADMIN_PASSWORD)
    engine = get_state(app).engine
    assert isinstance(engine.store, AdminStore)
    engine.store.save_site_settings("a.example", {"moderation": "hold-all"})
    held = []
    for number, name in enumerate(("Hana", "Ivo", "Jun")):
        author = Identity("anonymous", f"browser-{name.lower()}", name)
        comment = engine.post(
            "a.example:post-1",
            Submission(f"Held comment by {name}"),
            author,
            RequestContext(ip=f"192.0.2.{number + 10}"),
        )
        assert Status.PENDING == comment.status
        held.append(comment.id)
    with serve(app) as base:
        yield base, held


def tab_to(page: Any, test: str, *, limit: int = 60) -> None:
    """Press Tab until ``test`` (JS about the focused ``el``) holds, at most ``limit`` times."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = {FOCUSED}; return Boolean({test}); }})()"):
            outline = page.evaluate(f"getComputedStyle({FOCUSED}).outlineStyle")
            assert "none" != outline, f"no visible focus on {test}"
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def test_keyboard_only_bulk_approve_and_ban(admin_url: tuple[str, list[int]]) -> None:
    """Keyboard only: log in, skip link, tick two held comments, approve both, ban the third."""
    base, (first, second, third) = admin_url
    with launch_chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/admin/login?next=/admin/comments")
        # autofocus puts the caret in the password field; on a busy machine that can come
        # a moment after the load event, and typing before it would type into nothing.
        page.wait_for_function("document.activeElement && document.activeElement.id === 'password'")
        page.keyboard.type(ADMIN_PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/admin/comments")

        page.keyboard.press("Tab")
        assert "Skip to content" == page.evaluate(f"{FOCUSED}.textContent")
        page.keyboard.press("Enter")
        assert "main" == page.evaluate(f"{FOCUSED}.id")

        tab_to(page, f"el.id === 'select-{first}'")
        page.keyboard.press("Space")
        tab_to(page, f"el.id === 'select-{second}'")
        page.keyboard.press("Space")
        shot(page, "selected")
        tab_to(page, "el.textContent === 'Approve selected'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Approved: 2 comments." == page.locator(".tk-admin-note").inner_text()
        assert 1 == page.locator("tbody tr").count()
        assert f"comment-{third}" == page.locator("tbody tr").get_attribute("id")

        tab_to(page, "el.textContent === 'Ban author'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "anonymous:browser-jun" == page.locator("#value").input_value()
        tab_to(page, "el.textContent === 'Ban'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        note = page.locator(".tk-admin-note").inner_text()
        assert "Banned identity anonymous:browser-jun (7 days)." == note
        assert "anonymous:browser-jun" in page.locator("tbody").inner_text()
        shot(page, "banned")
        page.close()
