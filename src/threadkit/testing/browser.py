"""What every adapter's browser tests do on a comments page, written once.

The shared templates give every web adapter the same comment form, so a
Playwright test of Flask, Django or the server drives it the same way. This
module takes Playwright's ``Page`` as a plain object and never imports
Playwright: the core's test kit needs no browser, and an adapter's browser
test passes the page it already has.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["COMMENT", "focused", "post_comment", "preview_without_js", "sign_and_send", "tab_to"]

COMMENT = "article.tk-comment"
"""The CSS selector of one comment on a page."""


def post_comment(page: Any, body: str, *, landing: str | re.Pattern[str] | None = None) -> Any:
    """Type ``body`` into the page's comment form, send it and return its comment's locator.

    With JavaScript the comment appears in place, and this waits for it.
    Without, the form posts and the browser follows the redirect: give the
    URL it must land on as ``landing`` (a Playwright glob or a pattern).
    """
    page.locator("textarea[name=body]").first.fill(body)
    page.get_by_role("button", name="Post Comment").click()
    shown = page.locator(COMMENT, has_text=body)
    if landing is None:
        shown.wait_for()
    else:
        page.wait_for_url(landing)
    return shown


def preview_without_js(page: Any, body: str) -> None:
    """Preview ``body`` from a page without JavaScript, and check the preview page.

    Without JS, Preview is a form post answered by a page titled "Preview of
    your comment": the rendered comment over the form, still filled with
    ``body``. ``body`` must put ``script`` in emphasis (``No *script* here``).
    """
    page.locator("textarea[name=body]").fill(body)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert "Preview of your comment" == page.locator("h1").inner_text()
    assert "script" == page.locator("[data-tk-preview] em").inner_text()
    assert body == page.locator("textarea[name=body]").input_value()


def focused(page: Any, selector: str) -> bool:
    """Return whether the element with keyboard focus matches ``selector``."""
    found: bool = page.evaluate(
        "s => !!document.activeElement && document.activeElement.matches(s)", selector
    )
    return found


def tab_to(page: Any, selector: str, *, back: bool = False, limit: int = 40) -> int:
    """Press Tab (Shift+Tab when ``back``) until ``selector`` has focus; return the presses.

    Fails, naming ``selector``, when ``limit`` presses do not reach it: a control a
    keyboard reader cannot reach is a bug, not a slow page.
    """
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if focused(page, selector):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def sign_and_send(page: Any, name: str, submit: str, *, back: bool = False) -> None:
    """With the keyboard only: Tab to the name field, type ``name``, Tab to ``submit``, Enter.

    ``back`` when the name field comes before the focused control (the body, in
    forms that put the fields under it).
    """
    tab_to(page, "input[name=name]", back=back)
    page.keyboard.type(name)
    tab_to(page, submit)
    page.keyboard.press("Enter")
