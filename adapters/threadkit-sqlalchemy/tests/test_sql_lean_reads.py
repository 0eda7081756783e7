"""The lean public read (``lean_public_reads``), on SQLite, PostgreSQL and MariaDB.

A public page read lean must give the same public JSON as a full read, leave
the private fields out of its comments, and change nothing for any other reader.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.engine import CommentEngine
from threadkit.models import (
    Actor,
    Comment,
    Identity,
    RequestContext,
    SortOrder,
    Status,
    Submission,
    Visibility,
)
from threadkit.serialization import encode_public
from threadkit.testing.store_kit import EVERYONE, MODERATOR

SECRET_EMAIL = "ada@example.org"
SECRET_SOURCE = "Hello *there* SECRET"


@pytest.fixture
def engine(sql_store: SqlCommentStore) -> Iterator[CommentEngine]:
    engine = CommentEngine(sql_store)
    engine.thread("t1", title="T")
    ada = Identity("anonymous", "ada", "Ada", email=SECRET_EMAIL)
    context = RequestContext(ip="203.0.113.9", user_agent="secret-agent")
    top = engine.post("t1", Submission(SECRET_SOURCE, notify_replies=True), ada, context)
    for n in range(3):
        reply = engine.post("t1", Submission(f"reply {n}", parent_id=top.id), ada, context)
        engine.post("t1", Submission(f"deeper {n}", parent_id=reply.id), ada, context)
    engine.post("t1", Submission("second top"), ada, context)
    yield engine
    sql_store.lean_public_reads = False


def _pages(engine: CommentEngine, actor: Actor, sort: SortOrder) -> list[bytes]:
    found: list[bytes] = []
    cursor = None
    while True:
        page = engine.page("t1", actor, sort=sort, cursor=cursor, top_limit=1, total_limit=5)
        found.append(encode_public(page, moderator=actor.moderator, source=False))
        cursor = page.next_cursor
        if cursor is None:
            return found


def _lean_first_page(store: SqlCommentStore, visibility: Visibility) -> list[Comment]:
    store.lean_public_reads = True
    rows = store.page(
        "t1", sort=SortOrder.OLDEST, visibility=visibility, top_limit=10, total_limit=50
    )
    return rows.comments


@pytest.mark.parametrize("sort", list(SortOrder))
def test_a_lean_public_page_is_byte_for_byte_the_full_one(
    engine: CommentEngine, sql_store: SqlCommentStore, sort: SortOrder
) -> None:
    """Every page, every sort order: the public JSON never needed the private columns."""
    full = _pages(engine, Actor(), sort)
    sql_store.lean_public_reads = True
    assert full == _pages(engine, Actor(), sort)


def test_lean_public_comments_carry_no_private_fields(
    engine: CommentEngine, sql_store: SqlCommentStore
) -> None:
    """Page and subtree rows for nobody: no email, source, reasons, request data, subscription."""
    page = _lean_first_page(sql_store, EVERYONE)
    below = sql_store.subtree(page[0].id, visibility=EVERYONE, total_limit=50)
    seen = page + below.comments
    private = {
        (c.author.email, c.body_source, c.reasons, c.context, c.notify_replies) for c in seen
    }
    assert ({(None, "", (), RequestContext(), False)}, 8, 6) == (
        private,
        len(page),
        len(below.comments),
    )
    assert SECRET_SOURCE.encode() not in b"".join(_pages(engine, Actor(), SortOrder.OLDEST))


def test_other_readers_still_get_whole_comments(
    engine: CommentEngine, sql_store: SqlCommentStore
) -> None:
    """A moderator's (or an author's) page reads every column, lean setting or not."""
    first = _lean_first_page(sql_store, MODERATOR)[0]
    assert (SECRET_EMAIL, SECRET_SOURCE, "secret-agent", True, Status.APPROVED) == (
        first.author.email,
        first.body_source,
        first.context.user_agent,
        first.notify_replies,
        first.status,
    )
    assert first == sql_store.get_comment(first.id)
