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

Every string is storable anywhere threadkit stores text: no NUL characters and
no lone surrogates. Every timestamp is an aware UTC ``datetime``.
"""

from __future__ import annotations

import html
import string
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from threadkit.models import (
    Action,
    Candidate,
    Comment,
    Identity,
    NewComment,
    Reason,
    RequestContext,
    Status,
    Submission,
    Thread,
    Verdict,
)

__all__ = [
    "DELETED_AUTHOR",
    "aware_datetimes",
    "bodies",
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
