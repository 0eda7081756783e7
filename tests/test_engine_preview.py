"""CommentEngine.preview: a body checked and rendered as posting would, nothing stored."""

from __future__ import annotations

import pytest

from threadkit.engine import CommentEngine
from threadkit.errors import ValidationError
from threadkit.limits import COMMENT_MAX_BYTES
from threadkit.memory import MemoryStore
from threadkit.models import Identity, Submission


def test_preview_is_what_posting_shows_and_stores_nothing() -> None:
    """The preview equals the posted comment's body_html, and previewing writes nothing."""
    store = MemoryStore()
    engine = CommentEngine(store)
    body = "Look: **bold** <script>alert(1)</script> [x](javascript:alert(2))"
    shown = engine.preview(body)
    assert [] == store.recent(10)
    posted = engine.post("t", Submission(body), Identity("anonymous", "a", "Ada"))
    assert posted.body_html == shown
    assert "<script" not in shown
    assert 'href="javascript' not in shown


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("  \n", "empty_body"),
        ("a\x00b", "invalid_body"),
        ("a" * (COMMENT_MAX_BYTES + 1), "body_too_large"),
    ],
)
def test_preview_refuses_what_posting_refuses(body: str, code: str) -> None:
    """An empty, NUL-carrying or too-large body is the same error as when posting it."""
    with pytest.raises(ValidationError) as raised:
        CommentEngine(MemoryStore()).preview(body)
    assert code == raised.value.code
    assert "body" == raised.value.field
