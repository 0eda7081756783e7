"""The full internal round trip for export and backup: loads(T, dumps(x)) == x."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from threadkit.errors import ValidationError
from threadkit.models import (
    Actor,
    Candidate,
    Comment,
    CommentRows,
    Identity,
    NewComment,
    Notice,
    OutboxMessage,
    Reason,
    RequestContext,
    Status,
    Submission,
    Thread,
    Verdict,
    Visibility,
)
from threadkit.serialization import dumps, loads
from threadkit.testing import strategies as ms


@attrs.frozen
class Export:
    """Stands in for the engine's PersonalData: int-keyed votes and a list of comments."""

    identity_key: str
    comments: list[Comment]
    votes: dict[int, int]


MODELS: list[tuple[type[Any], st.SearchStrategy[Any]]] = [
    (Identity, ms.any_identities()),
    (RequestContext, ms.any_request_contexts()),
    (Reason, ms.any_reasons()),
    (Thread, ms.any_threads()),
    (Comment, ms.any_comments()),
    (Submission, ms.any_submissions()),
    (NewComment, ms.any_new_comments()),
    (Verdict, ms.any_verdicts()),
    (Notice, ms.notices()),
    (OutboxMessage, ms.outbox_messages()),
    (Actor, ms.actors()),
    (Visibility, ms.visibilities()),
    (
        CommentRows,
        st.builds(
            CommentRows,
            st.lists(ms.any_comments(text=st.text(max_size=4)), max_size=2),
            st.none() | ms.tricky_texts(),
        ),
    ),
    (Candidate, ms.any_candidates()),
    (
        Export,
        st.builds(
            Export,
            identity_key=ms.tricky_texts(),
            comments=st.lists(ms.any_comments(text=st.text(max_size=4)), max_size=2),
            votes=st.dictionaries(ms.comment_ids(), st.sampled_from([-1, 1]), max_size=4),
        ),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("cls", "strategy"), MODELS, ids=[cls.__name__ for cls, _ in MODELS])
def test_round_trip(cls: type[Any], strategy: st.SearchStrategy[Any]) -> None:
    """Every model survives dumps then loads unchanged (Unicode, microseconds and all)."""

    @given(strategy)
    def round_trip(value: Any) -> None:
        assert value == loads(cls, dumps(value))

    round_trip()


@pytest.mark.slow
@given(st.lists(ms.any_comments(text=st.text(max_size=4)), max_size=3))
def test_round_trip_of_a_list(values: list[Comment]) -> None:
    """A list of comments (a thread's backup) round-trips as list[Comment]."""
    assert values == loads(list[Comment], dumps(values))


@pytest.mark.slow
@given(ms.any_comments())
def test_round_trip_keeps_utc_and_microseconds(comment: Comment) -> None:
    """Loaded times are aware UTC with the same microsecond, not just equal instants."""
    loaded = loads(Comment, dumps(comment))
    assert (UTC, comment.created_at.microsecond) == (
        loaded.created_at.tzinfo,
        loaded.created_at.microsecond,
    )


def test_dumps_keeps_private_fields() -> None:
    """The backup shape is complete: email, subject, context, reasons, notify flag."""
    comment = Comment(
        1,
        "k",
        None,
        1,
        0,
        Identity("p", "s", "n", "e@x"),
        "b",
        "<p>b</p>",
        Status.PENDING,
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        reasons=(Reason("a", "b", "c"),),
        context=RequestContext("1.2.3.4"),
        notify_replies=True,
    )
    shape = json.loads(dumps(comment))
    assert ("e@x", "s", "1.2.3.4", "a", True, "2025-12-31T23:00:00.000000Z") == (
        shape["author"]["email"],
        shape["author"]["subject"],
        shape["context"]["ip"],
        shape["reasons"][0]["step"],
        shape["notify_replies"],
        shape["created_at"],
    )


def good_thread() -> dict[str, Any]:
    """Return a valid thread backup as decoded JSON."""
    data: dict[str, Any] = json.loads(dumps(Thread("k", datetime(2026, 1, 1, tzinfo=UTC))))
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"comment_count": True}, "$.comment_count"),
        ({"comment_count": "3"}, "$.comment_count"),
        ({"comment_count": 3.0}, "$.comment_count"),
        ({"closed": 0}, "$.closed"),
        ({"title": None}, "$.title"),
        ({"created_at": "2026-01-01T00:00:00"}, "$.created_at"),
        ({"created_at": "yesterday"}, "$.created_at"),
        ({"created_at": 0}, "$.created_at"),
        ({"surprise": 1}, "$"),
    ],
)
def test_loads_refuses_bad_backups_with_the_path(change: dict[str, Any], field: str) -> None:
    """A value of the wrong type (or a naive time, or an unknown key) names its path."""
    with pytest.raises(ValidationError) as info:
        loads(Thread, json.dumps({**good_thread(), **change}))
    assert ("invalid_backup", field) == (info.value.code, info.value.field)


def test_loads_refuses_a_missing_field() -> None:
    """A required field that is missing is reported by name."""
    data = good_thread()
    del data["key"]
    with pytest.raises(ValidationError) as info:
        loads(Thread, json.dumps(data))
    assert ("invalid_backup", "$.key") == (info.value.code, info.value.field)


def test_loads_refuses_an_unknown_status() -> None:
    """An enum value that does not exist is refused."""
    comment = Comment(
        1, "k", None, 1, 0, Identity("p", "s", "n"), "b", "b", Status.APPROVED, datetime.now(UTC)
    )
    data = json.loads(dumps(comment))
    data["status"] = "published"
    with pytest.raises(ValidationError) as info:
        loads(Comment, json.dumps(data))
    assert ("invalid_backup", "$.status") == (info.value.code, info.value.field)


@pytest.mark.parametrize("data", [b"", b"{", b"\xff", b"[" * 5000 + b"]" * 5000])
def test_loads_refuses_what_is_not_json(data: bytes) -> None:
    """Bytes that are not (reasonably nested) JSON raise invalid_json."""
    with pytest.raises(ValidationError) as info:
        loads(Thread, data)
    assert "invalid_json" == info.value.code


def test_loads_refuses_non_integer_vote_keys() -> None:
    """An int-keyed mapping refuses keys that are not integers."""
    data = json.dumps({"identity_key": "k", "comments": [], "votes": {"x": 1}})
    with pytest.raises(ValidationError) as info:
        loads(Export, data)
    assert "invalid_backup" == info.value.code
