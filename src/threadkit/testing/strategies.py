"""Hypothesis strategies for threadkit's models: the one place tests get random data.

The tree, pipeline, serialization and conformance tests all draw from here, so
a new edge case added once (an emoji in a name, a reply to a pending comment)
reaches every suite. `hypothesis <https://hypothesis.readthedocs.io>`_ is a
test dependency (``requirements-dev.txt``), not a runtime one: import this
module from tests only.

>>> from hypothesis import given
>>> from threadkit.testing.strategies import comment_forests
>>> @given(comment_forests(max_size=10))
... def test_ids_increase(rows):
...     assert sorted(c.id for c in rows) == [c.id for c in rows]

Two flavours share this module. The plain names (``comments``, ``threads``,
``identities`` ...) draw *realistic* values: what a host, a reader or a store
would produce, with consistent ids, depths and counters. The ``any_`` names
(``any_comments``, ``any_threads`` ...) draw *every value the type allows*,
fields independent of each other, text full of ``TRICKY_TEXT`` and dates
across years 1 to 9999: for round trips (serialization, backups) that must
survive anything. ``comment_forests`` draws whole threads.

Every string is storable anywhere threadkit stores text: no NUL characters and
no lone surrogates. Every realistic timestamp is an aware UTC ``datetime``.
"""

from __future__ import annotations

import html
import string
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from threadkit.guards import CommentGuard, MinInterval, NoDuplicate, OpenThread
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
    "DELETED_AUTHOR",
    "aware_datetimes",
    "bodies",
    "comment_guards",
    "candidates",
    "comment_forests",
    "comments",
    "identities",
    "new_comments",
    "reasons",
    "request_contexts",
    "submissions",
    "texts",
    "thread_keys",
    "threads",
    "verdicts",
    # every value the type allows (round trips)
    "TRICKY_TEXT",
    "actors",
    "any_candidates",
    "any_comments",
    "any_identities",
    "any_new_comments",
    "any_reasons",
    "any_request_contexts",
    "any_submissions",
    "any_threads",
    "any_verdicts",
    "comment_ids",
    "comment_rows",
    "counts",
    "notices",
    "outbox_messages",
    "tricky_texts",
    "utc_datetimes",
    "visibilities",
]

#: The author a deleted placeholder carries (the engine uses the same one).
DELETED_AUTHOR = Identity(provider="deleted", subject="", name="")

_COUNTED = (Status.APPROVED, Status.DELETED)
_SNIPPETS = (
    "Great post! 👍",
    "I disagree, see https://example.org/a?b=1&c=2",
    "**bold** and _italic_ and `code`",
    "Café crème, naïve façade, Zürich 🇨🇭",
    "日本語のコメントです。ありがとう！",  # noqa: RUF001 (Japanese punctuation)
    "中文评论，你好世界",  # noqa: RUF001 (Chinese punctuation)
    "한국어 댓글입니다",
    "Ελληνικά και Русский текст",
    "<script>alert(1)</script>",
    "> quoted\n\nreply below",
    "line one\nline two\n\n- item\n- item",
    "👨‍👩‍👧‍👦 family emoji and a ZWJ",
)
_PLAIN_AUTHORS = (
    Identity("anonymous", "a1", "Ada"),
    Identity("github", "42", "Zoë", verified=True),
    Identity("host", "u7", "李雷"),
)
_URLS = (
    "https://example.org/",
    "https://example.org/~ada",
    "http://blog.example.com/posts/1?ref=x",
    "https://例え.jp/パス",
)


def texts(
    min_size: int = 0, max_size: int = 200, *, multiline: bool = True
) -> st.SearchStrategy[str]:
    """Unicode text without NUL or lone surrogates; ``multiline`` allows newlines and tabs."""
    allowed = "\n\t" if multiline else ""
    return st.text(
        alphabet=st.characters(exclude_categories=("Cs", "Cc"), include_characters=allowed),
        min_size=min_size,
        max_size=max_size,
    )


def bodies(min_size: int = 1, max_size: int = 400) -> st.SearchStrategy[str]:
    """Comment bodies: random Unicode text or realistic snippets (Markdown, HTML, emoji, CJK)."""
    snippets = st.sampled_from(_SNIPPETS).filter(lambda s: min_size <= len(s) <= max_size)
    return st.one_of(snippets, texts(min_size, max_size))


def aware_datetimes(
    min_value: datetime = datetime(2000, 1, 1),
    max_value: datetime = datetime(2100, 1, 1),
) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes between two naive bounds read as UTC."""
    moments = st.datetimes(min_value=min_value, max_value=max_value, timezones=st.just(UTC))
    return moments.map(lambda moment: moment.replace(fold=0))


def thread_keys() -> st.SearchStrategy[str]:
    """Thread keys as hosts make them: slugs, paths, ids (1 to 80 characters)."""
    alphabet = string.ascii_letters + string.digits + "-_/.:"
    return st.one_of(
        st.text(alphabet=alphabet, min_size=1, max_size=80),
        st.sampled_from(("post-1", "/blog/2024/hello-world/", "article:42", "Ünïcode-slug-é")),
    )


def identities(
    providers: Sequence[str] = ("anonymous", "github", "google", "host"),
) -> st.SearchStrategy[Identity]:
    """Identities with Unicode names and optional email, URL and avatar."""
    return st.builds(
        Identity,
        provider=st.sampled_from(tuple(providers)),
        subject=st.text(
            alphabet=string.ascii_letters + string.digits + "-_.@|", min_size=1, max_size=40
        ),
        name=texts(1, 60, multiline=False),
        email=st.none() | st.emails(),
        url=st.none() | st.sampled_from(_URLS),
        avatar=st.none() | st.just("https://example.org/avatar.png"),
        verified=st.booleans(),
    )


def request_contexts() -> st.SearchStrategy[RequestContext]:
    """Draw what a web layer knows about a request: IP address, agent, referrer, language."""
    return st.builds(
        RequestContext,
        ip=st.just("") | st.ip_addresses().map(str),
        user_agent=texts(0, 120, multiline=False),
        referrer=st.just("") | st.sampled_from(_URLS),
        language=st.sampled_from(("", "en", "en-US", "fr-FR,fr;q=0.9", "ja", "zh-Hant")),
    )


def reasons() -> st.SearchStrategy[Reason]:
    """Draw a moderation reason: step name, machine code, human message."""
    code = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=20)
    return st.builds(Reason, step=code, code=code, message=texts(0, 80, multiline=False))


def threads(keys: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Thread]:
    """Threads with consistent counters (``top_level_count <= comment_count``)."""

    @st.composite
    def build(draw: st.DrawFn) -> Thread:
        total = draw(st.integers(0, 10_000))
        return Thread(
            key=draw(keys if keys is not None else thread_keys()),
            created_at=draw(aware_datetimes()),
            title=draw(texts(0, 80, multiline=False)),
            url=draw(st.just("") | st.sampled_from(_URLS)),
            closed=draw(st.booleans()),
            comment_count=total,
            top_level_count=draw(st.integers(0, total)),
        )

    return build()


def submissions(
    parent_ids: st.SearchStrategy[int | None] | None = None,
) -> st.SearchStrategy[Submission]:
    """Draw what a reader submits: a body, maybe a parent, maybe a filled-in honeypot."""
    return st.builds(
        Submission,
        body=bodies(),
        parent_id=parent_ids if parent_ids is not None else st.none() | st.integers(1, 10**9),
        honeypot=st.just("") | texts(1, 20, multiline=False),
        notify_replies=st.booleans(),
    )


def comments(
    thread_key: str | None = None,
    statuses: Sequence[Status] = tuple(Status),
) -> st.SearchStrategy[Comment]:
    """One comment on its own, top level or a reply, with consistent ids and depth."""

    @st.composite
    def build(draw: st.DrawFn) -> Comment:
        cid = draw(st.integers(1, 10**9))
        reply = cid > 1 and draw(st.booleans())
        if reply:
            parent: int | None = draw(st.integers(1, cid - 1))
            assert parent is not None
            root = draw(st.integers(1, parent))
            depth = 1 if root == parent else draw(st.integers(2, 200))
        else:
            parent, root, depth = None, cid, 0
        status = draw(st.sampled_from(tuple(statuses)))
        key = thread_key if thread_key is not None else draw(thread_keys())
        return _comment(draw, cid, key, parent, root, depth, status, draw(aware_datetimes()))

    return build()


def comment_forests(
    *,
    min_size: int = 0,
    max_size: int = 40,
    thread_key: str | None = None,
    statuses: Sequence[Status] = tuple(Status),
    chains: bool = False,
    hidden_replies: bool = False,
    rich: bool = True,
) -> st.SearchStrategy[list[Comment]]:
    """Draw the comments of one thread as a store holds them, in id order.

    Ids increase (with gaps) and so do timestamps; each row's ``parent_id``
    is an earlier row (or ``None``), ``root_id`` and ``depth`` agree with the
    parents, and ``reply_count`` counts the direct replies that are approved
    or deleted placeholders. ``chains`` favours replying to the previous row
    (deep chains); ``hidden_replies`` adds up to three replies to some
    ``reply_count`` that are not among the rows, as on a partial page.
    Placeholders (``Status.DELETED``) have no author and no body.

    ``rich=False`` draws only the structure, statuses and votes (authors from
    a small fixed set, plain bodies, empty request data): several times
    faster, for tests that look at the shape of a thread, not its text.
    """

    @st.composite
    def build(draw: st.DrawFn) -> list[Comment]:
        size = draw(st.integers(min_size, max_size))
        key = thread_key
        if key is None:
            key = draw(thread_keys()) if rich else "thread"
        next_id = draw(st.integers(1, 1000))
        moment = draw(aware_datetimes(max_value=datetime(2090, 1, 1)))
        parents: list[int] = []  # index of each row's parent, -1 at top level
        for index in range(size):
            if index == 0:
                parents.append(-1)
            elif chains:
                parents.append(draw(st.sampled_from((index - 1, index - 1, -1, index // 2))))
            else:
                parents.append(draw(st.integers(-1, index - 1)))
        ids: list[int] = []
        roots: list[int] = []
        depths: list[int] = []
        stamps: list[datetime] = []
        states: list[Status] = []
        for index in range(size):
            ids.append(next_id)
            next_id += draw(st.integers(1, 3))
            stamps.append(moment)
            moment += timedelta(microseconds=draw(st.integers(1, 10**10)))
            states.append(draw(st.sampled_from(tuple(statuses))))
            parent = parents[index]
            roots.append(ids[index] if parent < 0 else roots[parent])
            depths.append(0 if parent < 0 else depths[parent] + 1)
        counts = [0] * size
        for index, parent in enumerate(parents):
            if parent >= 0 and states[index] in _COUNTED:
                counts[parent] += 1
        if hidden_replies:
            counts = [count + draw(st.integers(0, 3)) for count in counts]
        return [
            _comment(
                draw,
                ids[i],
                key,
                None if parents[i] < 0 else ids[parents[i]],
                roots[i],
                depths[i],
                states[i],
                stamps[i],
                reply_count=counts[i],
                rich=rich,
            )
            for i in range(size)
        ]

    return build()


def _comment(
    draw: st.DrawFn,
    cid: int,
    thread_key: str,
    parent_id: int | None,
    root_id: int,
    depth: int,
    status: Status,
    created_at: datetime,
    *,
    reply_count: int | None = None,
    rich: bool = True,
) -> Comment:
    """Draw the free fields of one comment around its fixed place in a thread."""
    deleted = status is Status.DELETED
    if not rich:
        return Comment(
            id=cid,
            thread_key=thread_key,
            parent_id=parent_id,
            root_id=root_id,
            depth=depth,
            author=DELETED_AUTHOR if deleted else draw(st.sampled_from(_PLAIN_AUTHORS)),
            body_source="" if deleted else f"comment {cid}",
            body_html="" if deleted else f"<p>comment {cid}</p>",
            status=status,
            created_at=created_at,
            upvotes=draw(st.integers(0, 5)),
            downvotes=draw(st.integers(0, 5)),
            reply_count=draw(st.integers(0, 20)) if reply_count is None else reply_count,
        )
    body = "" if deleted else draw(bodies(1, 200))
    edited = draw(
        st.none() | st.integers(1, 10**9).map(lambda us: created_at + timedelta(microseconds=us))
    )
    return Comment(
        id=cid,
        thread_key=thread_key,
        parent_id=parent_id,
        root_id=root_id,
        depth=depth,
        author=DELETED_AUTHOR if deleted else draw(identities()),
        body_source=body,
        body_html="" if deleted else "<p>" + html.escape(body) + "</p>",
        status=status,
        created_at=created_at,
        edited_at=None if deleted else edited,
        upvotes=draw(st.integers(0, 50)),
        downvotes=draw(st.integers(0, 50)),
        reply_count=draw(st.integers(0, 20)) if reply_count is None else reply_count,
        reasons=() if status is Status.APPROVED else tuple(draw(st.lists(reasons(), max_size=2))),
        context=draw(request_contexts()),
        notify_replies=draw(st.booleans()),
    )


def verdicts() -> st.SearchStrategy[Verdict]:
    """Draw a verdict: any action with zero to three reasons (maybe a retry delay)."""
    return st.builds(
        Verdict,
        action=st.sampled_from(Action),
        reasons=st.lists(reasons(), max_size=3).map(tuple),
        retry_after=st.none() | st.floats(min_value=0.0, max_value=86_400.0),
    )


def new_comments(
    thread_key: str | None = None,
    parent_ids: st.SearchStrategy[int | None] | None = None,
    statuses: Sequence[Status] = (Status.APPROVED, Status.PENDING, Status.SPAM),
) -> st.SearchStrategy[NewComment]:
    """Draw a comment the engine has checked and rendered, ready for a store."""

    @st.composite
    def build(draw: st.DrawFn) -> NewComment:
        body = draw(bodies())
        status = draw(st.sampled_from(tuple(statuses)))
        return NewComment(
            thread_key=thread_key if thread_key is not None else draw(thread_keys()),
            parent_id=draw(parent_ids if parent_ids is not None else st.none()),
            author=draw(identities()),
            body_source=body,
            body_html="<p>" + html.escape(body) + "</p>",
            status=status,
            created_at=draw(aware_datetimes()),
            reasons=()
            if status is Status.APPROVED
            else tuple(draw(st.lists(reasons(), max_size=2))),
            context=draw(request_contexts()),
            notify_replies=draw(st.booleans()),
        )

    return build()


def candidates(
    parents: st.SearchStrategy[Comment | None] | None = None,
) -> st.SearchStrategy[Candidate]:
    """Draw what a moderation step looks at: thread, author, body, request, time, parent."""
    return st.builds(
        Candidate,
        thread=threads(),
        author=identities(),
        body=bodies(),
        context=request_contexts(),
        now=aware_datetimes(),
        parent=parents if parents is not None else st.none() | comments(),
        honeypot=st.just("") | texts(1, 20, multiline=False),
        comment_id=st.none() | st.integers(1, 10**9),
        moderator=st.booleans(),
    )


# ------------------------------------------- every value the type allows (round trips)

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


def tricky_texts(*, max_pieces: int = 6) -> st.SearchStrategy[str]:
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


def _maybe_tricky(text: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str | None]:
    return st.none() | (tricky_texts() if text is None else text)


def any_identities(*, text: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Identity]:
    """Draw identities with every optional field sometimes set (``text``: for every string)."""
    text = tricky_texts() if text is None else text
    return st.builds(
        Identity,
        provider=text,
        subject=text,
        name=text,
        email=_maybe_tricky(text),
        url=_maybe_tricky(text),
        avatar=_maybe_tricky(text),
        verified=st.booleans(),
    )


def any_request_contexts(
    *, text: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[RequestContext]:
    """Draw request contexts with arbitrary text in every field."""
    text = tricky_texts() if text is None else text
    return st.builds(RequestContext, ip=text, user_agent=text, referrer=text, language=text)


def any_reasons(*, text: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Reason]:
    """Draw moderation reasons."""
    text = tricky_texts() if text is None else text
    return st.builds(Reason, step=text, code=text, message=text)


def any_threads() -> st.SearchStrategy[Thread]:
    """Threads, open or closed, with any counts."""
    return st.builds(
        Thread,
        key=tricky_texts(),
        created_at=utc_datetimes(),
        title=tricky_texts(),
        url=tricky_texts(),
        closed=st.booleans(),
        comment_count=counts(),
        top_level_count=counts(),
    )


def _draft_fields(text: st.SearchStrategy[str]) -> dict[str, st.SearchStrategy[Any]]:
    """Return strategies for the fields a comment has from its draft on (``NewComment``'s)."""
    return {
        "thread_key": text,
        "parent_id": st.none() | comment_ids(),
        "author": any_identities(text=text),
        "body_source": text,
        "body_html": text,
        "status": st.sampled_from(Status),
        "created_at": utc_datetimes(),
        "reasons": st.lists(any_reasons(text=text), max_size=3).map(tuple),
        "context": any_request_contexts(text=text),
        "notify_replies": st.booleans(),
    }


def any_comments(
    *,
    statuses: st.SearchStrategy[Status] | None = None,
    text: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Comment]:
    """Draw single comments, every field random (ids, parents and depths not consistent).

    ``text`` replaces ``tricky_texts()`` for every string; pass a small one when drawing many.
    """
    fields = _draft_fields(tricky_texts() if text is None else text)
    if statuses is not None:
        fields["status"] = statuses
    return st.builds(
        Comment,
        id=comment_ids(),
        root_id=comment_ids(),
        depth=counts(),
        edited_at=st.none() | utc_datetimes(),
        upvotes=counts(),
        downvotes=counts(),
        reply_count=counts(),
        **fields,
    )


def any_submissions() -> st.SearchStrategy[Submission]:
    """Submissions as the comment form would carry them."""
    return st.builds(
        Submission,
        body=tricky_texts(),
        parent_id=st.none() | comment_ids(),
        honeypot=tricky_texts(),
        notify_replies=st.booleans(),
    )


def comment_guards() -> st.SearchStrategy[CommentGuard]:
    """Draw the write guards a draft may carry (each kind, with any scope and interval)."""
    return st.one_of(
        st.just(OpenThread()),
        st.just(NoDuplicate()),
        st.builds(
            MinInterval,
            scope=st.sampled_from(["ip", "author"]),
            value=tricky_texts(),
            seconds=st.floats(min_value=0, max_value=1e6, allow_nan=False),
        ),
    )


def any_new_comments() -> st.SearchStrategy[NewComment]:
    """Draw checked, rendered comments on their way to a store, with any guards."""
    guards = st.lists(comment_guards(), max_size=3).map(tuple)
    return st.builds(NewComment, **_draft_fields(tricky_texts()), guards=guards)


def any_verdicts() -> st.SearchStrategy[Verdict]:
    """Verdicts with any action, reasons and (finite) retry delay."""
    return st.builds(
        Verdict,
        action=st.sampled_from(Action),
        reasons=st.lists(any_reasons(), max_size=3).map(tuple),
        retry_after=st.none() | st.floats(min_value=0, allow_nan=False, allow_infinity=False),
    )


def notices() -> st.SearchStrategy[Notice]:
    """Notices for the outbox."""
    return st.builds(Notice, channel=tricky_texts(), kind=st.sampled_from(EventKind))


def outbox_messages() -> st.SearchStrategy[OutboxMessage]:
    """Queued notifications, some retried with an error."""
    return st.builds(
        OutboxMessage,
        id=comment_ids(),
        channel=tricky_texts(),
        kind=st.sampled_from(EventKind),
        comment_id=comment_ids(),
        thread_key=tricky_texts(),
        created_at=utc_datetimes(),
        attempts=counts(),
        next_attempt_at=st.none() | utc_datetimes(),
        last_error=tricky_texts(),
    )


def actors() -> st.SearchStrategy[Actor]:
    """Readers: anonymous, identified, moderators."""
    return st.builds(Actor, identity=st.none() | any_identities(), moderator=st.booleans())


def visibilities() -> st.SearchStrategy[Visibility]:
    """Draw what a reader may see."""
    return st.builds(Visibility, viewer_key=_maybe_tricky(), moderator=st.booleans())


def comment_rows() -> st.SearchStrategy[CommentRows]:
    """Draw a small batch of comments with or without a next cursor."""
    return st.builds(
        CommentRows, comments=st.lists(any_comments(), max_size=3), next_cursor=_maybe_tricky()
    )


def any_candidates() -> st.SearchStrategy[Candidate]:
    """Draw what a moderation step looks at, with or without a parent."""
    return st.builds(
        Candidate,
        thread=any_threads(),
        author=any_identities(),
        body=tricky_texts(),
        context=any_request_contexts(),
        now=utc_datetimes(),
        parent=st.none() | any_comments(),
        honeypot=tricky_texts(),
        comment_id=st.none() | comment_ids(),
        moderator=st.booleans(),
    )
