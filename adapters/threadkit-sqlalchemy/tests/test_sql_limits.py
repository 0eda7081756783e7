"""The SQL store and the core's comment limit: one number, and columns that hold it."""

from __future__ import annotations

from threadkit_sqlalchemy import DEFAULT_MAX_BODY_BYTES, SqlCommentStore

from threadkit import Identity, Submission
from threadkit.engine import CommentEngine
from threadkit.limits import COMMENT_MAX_BYTES, utf8_size


def test_store_default_is_the_core_comment_limit() -> None:
    """The store's body check defaults to threadkit.limits.COMMENT_MAX_BYTES, not a copy."""
    assert COMMENT_MAX_BYTES == DEFAULT_MAX_BODY_BYTES


def test_body_columns_hold_a_comment_at_the_limit_and_its_html(
    sql_store: SqlCommentStore,
) -> None:
    """A body of exactly COMMENT_MAX_BYTES, whose HTML is 4x larger, is stored byte-exact."""
    # "<" is escaped to "&lt;" in the HTML: the rendered body is far larger than the source.
    body = "🙂" * 100 + "<" * (COMMENT_MAX_BYTES - 400)
    engine = CommentEngine(sql_store)
    posted = engine.post("limits", Submission(body), Identity("anonymous", "b", "Ada"))
    stored = sql_store.get_comment(posted.id)
    assert stored is not None
    assert (COMMENT_MAX_BYTES, body) == (utf8_size(stored.body_source), stored.body_source)
    assert posted.body_html == stored.body_html
    assert utf8_size(stored.body_html) > 4 * (COMMENT_MAX_BYTES - 400)
