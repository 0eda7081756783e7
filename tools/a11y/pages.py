"""The pages every adapter's accessibility test checks, and how, written once.

Each web adapter (Flask, Django) shows the same thread through the same
templates, so its a11y test seeds the same deep thread with
:func:`post_deep_thread`, checks a page with :func:`checked`, and subclasses
:class:`ThreadPagesSuite` for the checks every adapter's pages must pass; the
test only serves its framework's site. See :mod:`tools.a11y.axe` for axe-core.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from threadkit.engine import CommentEngine
from threadkit.models import Identity, Submission

from .axe import describe, open_page, refused_post, run_axe

__all__ = [
    "ARTIFACTS",
    "DEEP",
    "DEEP_KEY",
    "PHONE",
    "SCHEMES",
    "ThreadPagesSuite",
    "checked",
    "open_phone",
    "post_deep_thread",
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
"""Where the screenshots go (the repository's ``test-artifacts/``)."""

SCHEMES = ("light", "dark")
"""The colour schemes every page is checked in."""

DEEP_KEY = "deep"
"""The thread whose replies go five levels down."""

DEEP = "A reply five levels down, long enough to wrap over several lines on a phone screen."
"""The body of the depth-5 reply: a phone must keep it readable."""


def post_deep_thread(engine: CommentEngine, author: Identity) -> None:
    """Post six comments to :data:`DEEP_KEY`, each replying to the one before, with a link.

    ``engine`` must accept them at once (no moderation holds them), so the
    thread shows its nesting to the first reader.
    """
    parent = None
    for depth in range(6):
        body = DEEP if depth == 5 else f"A comment at depth {depth}, [a link](https://example.org)."
        parent = engine.post(DEEP_KEY, Submission(body, parent_id=parent), author).id


PHONE = {"width": 390, "height": 844}
"""The phone the layout is measured on (CSS pixels)."""


def open_phone(browser: Any, url: str, **options: Any) -> Any:
    """Open ``url`` on a :data:`PHONE`, light scheme, with JS (``options``: e.g. ``locale``)."""
    return open_page(browser, url, scheme="light", js=True, viewport=PHONE, **options)


def checked(page: Any, name: str) -> list[dict[str, Any]]:
    """Run axe over ``page``, save its screenshot as ``a11y-<name>.png``, close its context.

    Return the violations (the caller asserts there are none, with
    :func:`tools.a11y.axe.describe`).
    """
    violations = run_axe(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-{name}.png"), full_page=True)
    page.context.close()
    return violations


class ThreadPagesSuite:
    """The thread page and the refused form, in both schemes, with and without JS: no violations.

    A subclass gives the fixtures ``a11y_site`` (the site's base URL, whose
    :data:`DEEP_KEY` post holds :func:`post_deep_thread` and whose moderation
    refuses a comment saying FLOOD with "Slow down.") and ``browser``, and
    says how a post's URL looks (:meth:`post_url`) and how its screenshots
    are named (:attr:`shot_prefix`).
    """

    shot_prefix: ClassVar[str] = ""
    """Put before each screenshot's name (one adapter's shots beside another's)."""

    def post_url(self, site: str, slug: str) -> str:
        """Return the URL of the site's post ``slug`` (a page with its comments)."""
        return f"{site}/posts/{slug}"

    @pytest.mark.parametrize("scheme", SCHEMES)
    @pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
    def test_thread_page(self, a11y_site: str, browser: Any, scheme: str, js: bool) -> None:
        """A thread with nested replies, its sort links and the reply form: no violations."""
        page = open_page(browser, self.post_url(a11y_site, DEEP_KEY), scheme=scheme, js=js)
        page.locator("article.tk-comment", has_text=DEEP).wait_for()
        name = f"{self.shot_prefix}thread-{scheme}-{'js' if js else 'nojs'}"
        violations = checked(page, name)
        assert [] == violations, describe(violations)

    @pytest.mark.parametrize("scheme", SCHEMES)
    @pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
    def test_reply_form_in_an_error_state(
        self, a11y_site: str, browser: Any, scheme: str, js: bool
    ) -> None:
        """A refused post (the form shows its error, the field marked invalid): no violations."""
        url = self.post_url(a11y_site, f"errors-{scheme}-{js}")
        page = open_page(browser, url, scheme=scheme, js=js)
        text = refused_post(page, "FLOOD of words")
        violations = checked(page, f"{self.shot_prefix}error-{scheme}-{'js' if js else 'nojs'}")
        assert ("Slow down." in text, []) == (True, violations), describe(violations)
