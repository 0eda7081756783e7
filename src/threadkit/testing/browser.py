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

__all__ = ["COMMENT", "post_comment", "preview_without_js"]

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
