"""The public and moderator JSON shapes (threadkit.serialization.shapes) and their JSON Schemas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import jsonschema_rs
import msgspec
import pytest
from hypothesis import given

from threadkit.models import (
    Comment,
    CommentRows,
    EventKind,
    Identity,
    Notice,
    Reason,
    RequestContext,
    SortOrder,
    Status,
    Thread,
)
from threadkit.pages import SubtreePage, ThreadPage
from threadkit.serialization import encode_public, iso_utc, shapes, to_public
from threadkit.serialization.shapes import json_schemas
from threadkit.testing.strategies import any_comments, any_identities, any_threads
from threadkit.tree import TreeNode

WHEN = datetime(2026, 11, 25, 18, 32, 33, 120000, tzinfo=UTC)
ADA = Identity(
    "github", "1234", "Ada", "ada@example.org", "https://ada.example", "https://a/x.png", True
)
CONTEXT = RequestContext("203.0.113.9", "Mozilla/5.0", "https://blog.example/p", "en")
REASON = Reason("links", "too_many", "Three links or more.")


def make_comment(**changes: Any) -> Comment:
    """Build a reply with every private field set, changed by ``changes``."""
    base = Comment(
        id=7,
        thread_key="post-1",
        parent_id=3,
        root_id=3,
        depth=1,
        author=ADA,
        body_source="Hi *there*",
        body_html="<p>Hi <em>there</em></p>",
        status=Status.APPROVED,
        created_at=WHEN,
        edited_at=WHEN + timedelta(minutes=2),
        upvotes=5,
        downvotes=2,
        reply_count=1,
        reasons=(REASON,),
        context=CONTEXT,
        notify_replies=True,
    )
    return attrs.evolve(base, **changes)


PUBLIC_AUTHOR = {
    "provider": "github",
    "name": "Ada",
    "url": "https://ada.example",
    "avatar": "https://a/x.png",
    "verified": True,
}
PUBLIC_COMMENT = {
    "id": 7,
    "thread": "post-1",
    "parent_id": 3,
    "root_id": 3,
    "depth": 1,
    "status": "approved",
    "author": PUBLIC_AUTHOR,
    "body_html": "<p>Hi <em>there</em></p>",
    "body_source": "Hi *there*",
    "created_at": "2026-11-25T18:32:33.120000Z",
    "edited_at": "2026-11-25T18:34:33.120000Z",
    "upvotes": 5,
    "downvotes": 2,
    "score": 3,
    "reply_count": 1,
}
PLACEHOLDER = {
    "id": 7,
    "thread": "post-1",
    "parent_id": 3,
    "root_id": 3,
    "depth": 1,
    "status": "deleted",
    "author": None,
    "body_html": "",
    "body_source": "",
    "created_at": "2026-11-25T18:32:33.120000Z",
    "reply_count": 1,
}


def test_public_comment_shape() -> None:
    """A comment's public shape has exactly the documented keys and values."""
    assert PUBLIC_COMMENT == to_public(make_comment())


def test_public_comment_keeps_documented_key_order() -> None:
    """Keys come in the documented order (readable output, stable bytes)."""
    assert list(PUBLIC_COMMENT) == list(to_public(make_comment()))


def test_public_identity_shape_has_no_email_or_subject() -> None:
    """An identity's public shape leaves out the email and the provider's subject."""
    assert PUBLIC_AUTHOR == to_public(ADA)


def test_moderator_comment_shape_adds_email_context_and_reasons() -> None:
    """The moderator view is the public shape plus email, context and reasons."""
    expected = {
        **PUBLIC_COMMENT,
        "author": {**PUBLIC_AUTHOR, "email": "ada@example.org"},
        "context": {
            "ip": "203.0.113.9",
            "user_agent": "Mozilla/5.0",
            "referrer": "https://blog.example/p",
            "language": "en",
        },
        "reasons": [{"step": "links", "code": "too_many", "message": "Three links or more."}],
    }
    assert expected == to_public(make_comment(), moderator=True)


@pytest.mark.parametrize("moderator", [False, True])
def test_deleted_placeholder_shape(moderator: bool) -> None:
    """A placeholder shows only where it sits, for readers and moderators alike."""
    assert PLACEHOLDER == to_public(make_comment(status=Status.DELETED), moderator=moderator)


@pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM])
def test_unapproved_statuses_are_named(status: Status) -> None:
    """Pending and spam comments (seen by their author) carry their status value."""
    assert status.value == to_public(make_comment(status=status))["status"]


def test_unedited_comment_has_null_edited_at() -> None:
    """edited_at is null until the comment is edited."""
    assert None is to_public(make_comment(edited_at=None))["edited_at"]


@given(any_comments())
def test_public_comment_never_carries_private_data(comment: Comment) -> None:
    """No public comment shape has an email, subject, context, reasons or notify flag."""
    shape = to_public(comment)
    private = {"email", "subject", "context", "reasons", "notify_replies", "thread_key"}
    author_keys = set(shape["author"] or {})
    assert set() == (set(shape) | author_keys) & private


@given(any_comments())
def test_score_is_upvotes_minus_downvotes(comment: Comment) -> None:
    """Score is computed, not stored: upvotes minus downvotes (absent on placeholders)."""
    shape = to_public(comment)
    if comment.status is Status.DELETED:
        assert "score" not in shape
    else:
        assert comment.upvotes - comment.downvotes == shape["score"]


def test_thread_shape() -> None:
    """A thread's shape has its key, title, url, state and counts."""
    thread = Thread("post-1", WHEN, "Hello", "https://blog.example/p", True, 12, 4)
    expected = {
        "key": "post-1",
        "title": "Hello",
        "url": "https://blog.example/p",
        "closed": True,
        "comment_count": 12,
        "top_level_count": 4,
        "created_at": "2026-11-25T18:32:33.120000Z",
    }
    assert expected == to_public(thread)


def test_tree_node_shape_nests_replies() -> None:
    """A node is its comment's shape plus display depth, more replies and nested replies."""
    top = TreeNode(make_comment(id=3, parent_id=None, depth=0), 0)
    reply = TreeNode(make_comment(status=Status.DELETED), 1)
    reply.more_replies = 2
    top.children.append(reply)
    expected = {
        **PUBLIC_COMMENT,
        "id": 3,
        "parent_id": None,
        "depth": 0,
        "display_depth": 0,
        "more_replies": 0,
        "replies": [{**PLACEHOLDER, "display_depth": 1, "more_replies": 2, "replies": []}],
    }
    assert expected == to_public(top)


def test_thread_page_shape() -> None:
    """A thread page holds the thread, the sort, the next cursor and the top-level nodes."""
    thread = Thread("post-1", WHEN)
    page = ThreadPage(thread, [TreeNode(make_comment())], SortOrder.NEWEST, "c2")
    expected = {
        "thread": to_public(thread),
        "sort": "newest",
        "next_cursor": "c2",
        "comments": [{**PUBLIC_COMMENT, "display_depth": 0, "more_replies": 0, "replies": []}],
    }
    assert expected == to_public(page)


def test_subtree_page_shape() -> None:
    """A subtree page names its parent by id only, with the cursor and the nodes."""
    page = SubtreePage(make_comment(id=3), [], None)
    assert {"parent_id": 3, "next_cursor": None, "comments": []} == to_public(page)


def test_comment_rows_shape_for_the_moderation_queue() -> None:
    """A queue batch lists comment shapes (moderator view here) and the next cursor."""
    rows = CommentRows([make_comment()], "next")
    expected = {"comments": [to_public(make_comment(), moderator=True)], "next_cursor": "next"}
    assert expected == to_public(rows, moderator=True)


def test_models_without_a_public_shape_are_refused() -> None:
    """A model with no public shape raises instead of leaking every field."""
    with pytest.raises(TypeError, match="Notice has no public JSON shape"):
        to_public(Notice("email", EventKind.POSTED))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=UTC), "2026-01-02T03:04:05.000007Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
        (
            datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            "2026-01-02T03:04:05Z",
        ),
    ],
)
def test_times_are_iso_utc_with_z(moment: datetime, expected: str) -> None:
    """Times are ISO 8601 in UTC with Z; the fraction shows only when not zero."""
    assert expected == iso_utc(moment)


def test_naive_times_are_refused() -> None:
    """A naive datetime is a bug and is not silently written as if it were UTC."""
    with pytest.raises(ValueError, match="naive datetime"):
        iso_utc(datetime(2026, 1, 2))


@given(any_threads())
def test_encode_public_is_the_reference_as_bytes(thread: Thread) -> None:
    """encode_public of a shape without a fast path is msgspec over the converter's output."""
    assert to_public(thread) == msgspec.json.decode(encode_public(thread))


@given(any_identities())
def test_moderator_identity_adds_only_the_email(identity: Identity) -> None:
    """The moderator view of an identity is the public one plus the email."""
    assert {**to_public(identity), "email": identity.email} == to_public(identity, moderator=True)


# ---------------------------------------------------------------- the shapes' JSON Schemas

SCHEMAS = json_schemas()


def validator(name: str) -> Any:
    """Return a JSON Schema validator for the shape called ``name``."""
    root = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": SCHEMAS}}
    return jsonschema_rs.validator_for(root)


def schema_errors(name: str, value: Any) -> list[str]:
    """Return what is wrong with ``value`` as the shape ``name`` (empty: it validates)."""
    return [error.message for error in validator(name).iter_errors(value)]


@pytest.mark.parametrize(
    ("moderator", "comment_schema", "page_schema"),
    [(False, "Comment", "ThreadPage"), (True, "ModeratorComment", "ModeratorThreadPage")],
)
@given(comment=any_comments())
def test_every_comment_validates_against_its_schema(
    moderator: bool, comment_schema: str, page_schema: str, comment: Comment
) -> None:
    """A comment's shape (reader's or moderator's, placeholder or not) validates as documented."""
    shape = to_public(comment, moderator=moderator)
    assert [] == schema_errors(comment_schema, shape)
    page = ThreadPage(Thread("post-1", WHEN), [TreeNode(comment)], SortOrder.TOP, "c")
    assert [] == schema_errors(page_schema, to_public(page, moderator=moderator))


def test_moderator_author_without_email_validates() -> None:
    """A moderator sees ``"email": null`` for an author who gave none, and the schema says so."""
    shape = to_public(make_comment(author=attrs.evolve(ADA, email=None)), moderator=True)
    assert None is shape["author"]["email"]
    assert [] == schema_errors("ModeratorComment", shape)


def test_reader_schema_refuses_private_fields() -> None:
    """The reader's Comment schema allows no other key, so an answer with an email fails it."""
    assert [] != schema_errors("Comment", to_public(make_comment(), moderator=True))


@pytest.mark.parametrize("name", ["Comment", "ModeratorComment", "Node", "ModeratorNode"])
def test_placeholder_only_fields_are_optional(name: str) -> None:
    """Fields a placeholder leaves out are optional in the schemas; every other one is required.

    ``body_source`` is optional too: public pages leave it out for readers who cannot edit.
    """
    required = set(SCHEMAS[name]["required"])
    optional = {"edited_at", "upvotes", "downvotes", "score", "context", "reasons", "body_source"}
    assert set() == required & optional
    assert set(PLACEHOLDER) - {"body_source"} <= required


def test_every_public_shape_has_a_schema() -> None:
    """json_schemas names a schema after each shape class, so OpenAPI refs can use class names."""
    assert {cls.__name__ for cls in shapes.PUBLIC_SHAPES} <= set(SCHEMAS)


def test_problem_schema_allows_extra_keys() -> None:
    """A problem validates with the extra keys adapters add (limits, hints)."""
    problem = {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "code": "flood",
        "detail": "Slow down.",
        "field": None,
        "retry_after": 13,
        "reasons": [{"step": "flood", "code": "flood", "message": "Slow down."}],
        "limit": 5,
    }
    assert [] == schema_errors("Problem", problem)


def test_models_inside_plain_containers_get_their_public_shape() -> None:
    """A comment inside a dict or list is shaped too, never dumped field by field."""
    assert {"a": [PUBLIC_COMMENT]} == to_public({"a": [make_comment()]})
    with pytest.raises(TypeError, match="Notice has no public JSON shape"):
        to_public({"a": Notice("email", EventKind.POSTED)})
