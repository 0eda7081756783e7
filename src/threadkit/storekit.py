"""Helpers every :class:`~threadkit.ports.CommentStore` needs, written once.

The in-memory store and the SQL store (and any store you write) check their
arguments and build their cursors the same way, so a caller gets the same
error, with the same code and field, whichever store is behind the engine.
This is a public core module: adapters may import it.

>>> from datetime import UTC, datetime
>>> aware(datetime(2026, 1, 1, tzinfo=UTC), "now").isoformat()
'2026-01-01T00:00:00+00:00'
>>> make_cursor("o", 7)
'o.7'
>>> int_cursor("o.7", "o", 1)
[7]
>>> vote_delta(old=1, new=-1)
(-1, 1)
>>> check_limit(0, "top_limit")
Traceback (most recent call last):
    ...
threadkit.errors.ValidationError: top_limit must be at least 1, not 0.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Literal

import attrs

from .errors import ValidationError
from .guards import VoteGuard
from .models import Comment, CommentRows, NewComment, Reason, SortOrder, Visibility, utc

__all__ = [
    "CastVote",
    "DRAFTED",
    "EDITABLE",
    "REPLY_COUNTED",
    "PageEntry",
    "PageQuery",
    "VoteEntry",
    "aware",
    "bad_cursor",
    "check_limit",
    "check_vote",
    "check_vote_call",
    "draft_of",
    "int_cursor",
    "make_cursor",
    "reasons_from_json",
    "reasons_json",
    "split_cursor",
    "stored_comment",
    "vote_delta",
    "with_edits",
]

REPLY_COUNTED = Visibility.SEEN_BY_ALL
"""Statuses a parent's ``reply_count`` counts: the ones every reader sees."""


def aware(moment: datetime, field: str) -> datetime:
    """Return ``moment`` in UTC; refuse a naive datetime with a ``ValidationError``."""
    try:
        return utc(moment)
    except ValueError as exc:
        raise ValidationError(
            "naive_datetime",
            f"{field} must be a timezone-aware datetime (e.g. datetime.now(UTC)).",
            field=field,
        ) from exc


def check_limit(value: int, field: str) -> None:
    """Refuse a limit below one with ``ValidationError("invalid_limit")``."""
    if value < 1:
        raise ValidationError(
            "invalid_limit", f"{field} must be at least 1, not {value}.", field=field
        )


def bad_cursor(cursor: str) -> ValidationError:
    """Build the error for a cursor this store did not make for this query."""
    return ValidationError(
        "invalid_cursor",
        f"Cursor {cursor!r} does not belong to this query (or the page it continues is gone);"
        " start again without a cursor.",
        field="cursor",
    )


def make_cursor(kind: str, *values: int | str) -> str:
    """Build the opaque cursor ``"<kind>.<value>..."``."""
    return ".".join([kind, *map(str, values)])


def split_cursor(cursor: str, kind: str, parts: int) -> list[str]:
    """Split ``"<kind>.<a>.<b>"`` into its parts, checking kind and arity."""
    pieces = cursor.split(".")
    if len(pieces) != parts + 1 or pieces[0] != kind:
        raise bad_cursor(cursor)
    return pieces[1:]


def int_cursor(cursor: str, kind: str, parts: int) -> list[int]:
    """Split a cursor whose parts are integers; refuse anything else as ``invalid_cursor``."""
    try:
        return [int(piece) for piece in split_cursor(cursor, kind, parts)]
    except ValueError:
        raise bad_cursor(cursor) from None


def check_vote(value: object) -> int:
    """Return a vote's value; refuse anything but the int -1, 0 or 1 (``invalid_vote``).

    ``True``, ``1.0`` and ``"1"`` are refused too: both stores once let some through.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value not in (-1, 0, 1):
        raise ValidationError(
            "invalid_vote", f"A vote is -1, 0 or 1, not {value!r}.", field="value"
        )
    return value


def check_vote_call(
    value: object, at: datetime | None, guards: Collection[object]
) -> tuple[int, datetime | None]:
    """Check the arguments of :meth:`~threadkit.ports.VoteStore.vote`; return value and time.

    The value is checked by :func:`check_vote`, the time made UTC by
    :func:`aware` (``None`` stays ``None``); guards without a time are a
    programming error (``ValueError``), since a guard counts back from it.
    """
    vote = check_vote(value)
    when = None if at is None else aware(at, "at")
    if guards and when is None:
        raise ValueError("vote guards need the vote's time: pass at=")
    return vote, when


@attrs.frozen
class CastVote:
    """A vote whose arguments :class:`VoteEntry` has checked: what a store writes.

    ``value`` is -1, 0 (withdraw) or 1; ``at`` is UTC, or ``None`` when the
    caller gave no time (then ``guards`` is empty).
    """

    comment_id: int
    voter_key: str
    value: int
    ip: str
    at: datetime | None
    guards: tuple[VoteGuard, ...]


class VoteEntry:
    """The public ``vote`` every store shares: check the call, then :meth:`_cast_vote`.

    A store inherits this and implements only ``_cast_vote``, so each store
    refuses a bad vote with the same error and takes the same arguments.
    """

    def vote(
        self,
        comment_id: int,
        voter_key: str,
        value: Literal[-1, 0, 1],
        *,
        ip: str = "",
        at: datetime | None = None,
        guards: Sequence[VoteGuard] = (),
    ) -> Comment:
        """Cast, change or withdraw a vote as :meth:`threadkit.ports.VoteStore.vote` says."""
        new, when = check_vote_call(value, at, guards)
        return self._cast_vote(CastVote(comment_id, voter_key, new, ip, when, tuple(guards)))

    def _cast_vote(self, vote: CastVote) -> Comment:
        """Store a checked vote in one transaction and return the comment, re-tallied."""
        raise NotImplementedError


@attrs.frozen
class PageQuery:
    """One checked ``page`` call, as :meth:`PageEntry._read_page` receives it."""

    sort: SortOrder
    visibility: Visibility
    cursor: str | None
    top_limit: int
    total_limit: int


class PageEntry:
    """The public ``page`` and ``subtree`` every store shares: check the limits, then read.

    A store inherits this and implements only ``_read_page`` and
    ``_read_subtree``, so each store
    takes the same arguments and refuses a bad limit with the same error.
    """

    def page(
        self,
        thread_key: str,
        *,
        sort: SortOrder,
        visibility: Visibility,
        cursor: str | None = None,
        top_limit: int,
        total_limit: int,
    ) -> CommentRows:
        """Return one page of a thread, as :meth:`threadkit.ports.PageReader.page` says."""
        check_limit(top_limit, "top_limit")
        check_limit(total_limit, "total_limit")
        query = PageQuery(sort, visibility, cursor, top_limit, total_limit)
        return self._read_page(thread_key, query)

    def subtree(
        self,
        comment_id: int,
        *,
        visibility: Visibility,
        cursor: str | None = None,
        total_limit: int,
    ) -> CommentRows:
        """Return replies below a comment, as :meth:`threadkit.ports.PageReader.subtree` says."""
        check_limit(total_limit, "total_limit")
        return self._read_subtree(comment_id, visibility, cursor, total_limit)

    def _read_page(self, thread_key: str, query: PageQuery) -> CommentRows:
        """Read the page ``query`` asks for (its limits are checked) in one transaction."""
        raise NotImplementedError

    def _read_subtree(
        self, comment_id: int, visibility: Visibility, cursor: str | None, total_limit: int
    ) -> CommentRows:
        """Read the replies below ``comment_id`` (``total_limit`` is checked)."""
        raise NotImplementedError


def vote_delta(old: int, new: int) -> tuple[int, int]:
    """Return how moving one vote from ``old`` to ``new`` changes ``(upvotes, downvotes)``.

    0 is no vote: a first vote, a change of mind and a withdrawal all follow
    from the same rule, on every store.
    """
    return int(new == 1) - int(old == 1), int(new == -1) - int(old == -1)


_COMMENT_FIELDS = attrs.fields_dict(Comment)
DRAFTED = tuple(name for name in attrs.fields_dict(NewComment) if name in _COMMENT_FIELDS)
"""The fields a :class:`~threadkit.models.NewComment` hands to the comment it becomes."""

EDITABLE = (
    "author",
    "body_source",
    "body_html",
    "status",
    "edited_at",
    "reasons",
    "context",
    "notify_replies",
)
"""The fields :meth:`~threadkit.ports.CommentWriter.update_comment` writes; it ignores the rest."""


def stored_comment(
    draft: NewComment, comment_id: int, *, root_id: int, depth: int, created_at: datetime
) -> Comment:
    """Return the comment ``draft`` becomes once the store has given it an id and a place.

    Votes and reply counts start at zero; the store's guards and idempotency
    key are not part of the comment.
    """
    values: dict[str, Any] = {name: getattr(draft, name) for name in DRAFTED}
    values["created_at"] = created_at
    return Comment(id=comment_id, root_id=root_id, depth=depth, **values)


def draft_of(comment: Comment, *, thread_key: str, parent_id: int | None) -> NewComment:
    """Return the draft that adds ``comment`` again, to ``thread_key`` under ``parent_id``."""
    values: dict[str, Any] = {name: getattr(comment, name) for name in DRAFTED}
    values.update(thread_key=thread_key, parent_id=parent_id)
    return NewComment(**values)


def with_edits(stored: Comment, update: Comment, *, edited_at: datetime | None) -> Comment:
    """Return ``stored`` with the :data:`EDITABLE` fields of ``update`` (``edited_at`` given)."""
    values: dict[str, Any] = {name: getattr(update, name) for name in EDITABLE}
    values["edited_at"] = edited_at
    return attrs.evolve(stored, **values)


def reasons_json(reasons: Sequence[Reason]) -> str:
    """Serialize moderation reasons for a text column (empty string for none)."""
    if not reasons:
        return ""
    return json.dumps([[r.step, r.code, r.message] for r in reasons], ensure_ascii=False)


def reasons_from_json(text: str) -> tuple[Reason, ...]:
    """Parse what :func:`reasons_json` wrote."""
    if not text:
        return ()
    return tuple(Reason(step, code, message) for step, code, message in json.loads(text))
