"""The pages every adapter's accessibility test checks, and how, written once.

Each web adapter (Flask, Django) shows the same thread through the same
templates, so its a11y test seeds the same deep thread with
:func:`post_deep_thread` and checks a page with :func:`checked`; the test only
serves its framework's site. See :mod:`tools.a11y.axe` for axe-core itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threadkit.engine import CommentEngine
from threadkit.models import Identity, Submission

from .axe import run_axe

__all__ = ["ARTIFACTS", "DEEP", "DEEP_KEY", "checked", "post_deep_thread"]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
"""Where the screenshots go (the repository's ``test-artifacts/``)."""

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
