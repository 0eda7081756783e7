"""Hypothesis strategies for single threadkit models (random forests live in ``strategies``).

Text mixes Hypothesis' own strings with pieces that break naive code: 4-byte
emoji, ZWJ sequences, right-to-left text, combining marks, U+2028 and friends.
Datetimes are aware UTC with microseconds, across years 1 to 9999.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from threadkit.models import (
    Action,
    Actor,
    Candidate,
    Comment,
    CommentRows,
    EventKind,
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

__all__ = [
    "TRICKY_TEXT",
    "actors",
    "candidates",
    "comment_ids",
    "comment_rows",
    "comments",
    "counts",
    "identities",
    "new_comments",
    "notices",
    "outbox_messages",
    "reasons",
    "request_contexts",
    "submissions",
    "texts",
    "threads",
    "utc_datetimes",
    "verdicts",
    "visibilities",
]

#: Pieces of text that break naive encoders, splitters and renderers.
TRICKY_TEXT = (
    "\U0001f44d\U0001f3fd",  # thumbs up, skin tone: 4-byte code points
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # family: ZWJ sequence
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag: variation selector + ZWJ
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic, right to left
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew, right to left
    "\u202eevil\u202c",  # right-to-left override
    "e\u0301",  # e + combining acute
    "Z\u0364\u0311\u0313a\u0308\u0347",  # stacked combining marks
    "\u2028",  # line separator: not a line break in JSON, one in old JavaScript
    "\u2029",  # paragraph separator
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark inside text
    "\U0001d518\U0001d52b",  # mathematical fraktur: astral plane letters
    '</script><!--"\\',
    "\x7f\t\r\n",
)


def texts(*, max_pieces: int = 6) -> st.SearchStrategy[str]:
    """Strings mixing Hypothesis text with ``TRICKY_TEXT`` (no lone surrogates)."""
    piece = st.one_of(st.text(max_size=12), st.sampled_from(TRICKY_TEXT))
    return st.lists(piece, max_size=max_pieces).map("".join)


def utc_datetimes() -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes, microseconds included."""
    return st.datetimes(timezones=st.just(UTC))


def comment_ids() -> st.SearchStrategy[int]:
    """Ids as SQL stores hand them out: 1 to 2**63 - 1."""
    return st.integers(min_value=1, max_value=2**63 - 1)


def counts() -> st.SearchStrategy[int]:
    """Non-negative counters (votes, replies, attempts)."""
    return st.integers(min_value=0, max_value=2**31 - 1)


def _optional_text(text: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str | None]:
    return st.none() | (texts() if text is None else text)


def identities(*, text: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Identity]:
    """Draw identities with every optional field sometimes set (``text``: for every string)."""
    text = texts() if text is None else text
    return st.builds(
        Identity,
        provider=text,
        subject=text,
        name=text,
        email=_optional_text(text),
        url=_optional_text(text),
        avatar=_optional_text(text),
        verified=st.booleans(),
    )


def request_contexts(
    *, text: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[RequestContext]:
    """Draw request contexts with arbitrary text in every field."""
    text = texts() if text is None else text
    return st.builds(RequestContext, ip=text, user_agent=text, referrer=text, language=text)


def reasons(*, text: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Reason]:
    """Draw moderation reasons."""
    text = texts() if text is None else text
    return st.builds(Reason, step=text, code=text, message=text)


def threads() -> st.SearchStrategy[Thread]:
    """Threads, open or closed, with any counts."""
    return st.builds(
        Thread,
        key=texts(),
        created_at=utc_datetimes(),
        title=texts(),
        url=texts(),
        closed=st.booleans(),
        comment_count=counts(),
        top_level_count=counts(),
    )


def comments(
    *,
    statuses: st.SearchStrategy[Status] | None = None,
    text: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Comment]:
    """Draw single comments, every field random (ids, parents and depths not consistent).

    ``text`` replaces ``texts()`` for every string; pass a small one when drawing many.
    """
    text = texts() if text is None else text
    return st.builds(
        Comment,
        id=comment_ids(),
        thread_key=text,
        parent_id=st.none() | comment_ids(),
        root_id=comment_ids(),
        depth=counts(),
        author=identities(text=text),
        body_source=text,
        body_html=text,
        status=st.sampled_from(Status) if statuses is None else statuses,
        created_at=utc_datetimes(),
        edited_at=st.none() | utc_datetimes(),
        upvotes=counts(),
        downvotes=counts(),
        reply_count=counts(),
        reasons=st.lists(reasons(text=text), max_size=3).map(tuple),
        context=request_contexts(text=text),
        notify_replies=st.booleans(),
    )


def submissions() -> st.SearchStrategy[Submission]:
    """Submissions as the comment form would carry them."""
    return st.builds(
        Submission,
        body=texts(),
        parent_id=st.none() | comment_ids(),
        honeypot=texts(),
        notify_replies=st.booleans(),
    )


def new_comments() -> st.SearchStrategy[NewComment]:
    """Draw checked, rendered comments on their way to a store."""
    return st.builds(
        NewComment,
        thread_key=texts(),
        parent_id=st.none() | comment_ids(),
        author=identities(),
        body_source=texts(),
        body_html=texts(),
        status=st.sampled_from(Status),
        created_at=utc_datetimes(),
        reasons=st.lists(reasons(), max_size=3).map(tuple),
        context=request_contexts(),
        notify_replies=st.booleans(),
    )


def verdicts() -> st.SearchStrategy[Verdict]:
    """Verdicts with any action, reasons and (finite) retry delay."""
    return st.builds(
        Verdict,
        action=st.sampled_from(Action),
        reasons=st.lists(reasons(), max_size=3).map(tuple),
        retry_after=st.none() | st.floats(min_value=0, allow_nan=False, allow_infinity=False),
    )


def notices() -> st.SearchStrategy[Notice]:
    """Notices for the outbox."""
    return st.builds(Notice, channel=texts(), kind=st.sampled_from(EventKind))


def outbox_messages() -> st.SearchStrategy[OutboxMessage]:
    """Queued notifications, some retried with an error."""
    return st.builds(
        OutboxMessage,
        id=comment_ids(),
        channel=texts(),
        kind=st.sampled_from(EventKind),
        comment_id=comment_ids(),
        thread_key=texts(),
        created_at=utc_datetimes(),
        attempts=counts(),
        next_attempt_at=st.none() | utc_datetimes(),
        last_error=texts(),
    )


def actors() -> st.SearchStrategy[Actor]:
    """Readers: anonymous, identified, moderators."""
    return st.builds(Actor, identity=st.none() | identities(), moderator=st.booleans())


def visibilities() -> st.SearchStrategy[Visibility]:
    """Draw what a reader may see."""
    return st.builds(Visibility, viewer_key=_optional_text(), moderator=st.booleans())


def comment_rows() -> st.SearchStrategy[CommentRows]:
    """Draw a small batch of comments with or without a next cursor."""
    return st.builds(
        CommentRows, comments=st.lists(comments(), max_size=3), next_cursor=_optional_text()
    )


def candidates() -> st.SearchStrategy[Candidate]:
    """Draw what a moderation step looks at, with or without a parent."""
    return st.builds(
        Candidate,
        thread=threads(),
        author=identities(),
        body=texts(),
        context=request_contexts(),
        now=utc_datetimes(),
        parent=st.none() | comments(),
        honeypot=texts(),
        comment_id=st.none() | comment_ids(),
        moderator=st.booleans(),
    )
