"""Deterministic, realistic comment threads for benchmarks, demos and bulk loads.

:func:`generate_thread` returns :class:`~threadkit.models.Comment` objects;
:func:`generate_rows` returns the same thread as light :class:`ThreadRow`
tuples (no attrs objects: what a store's bulk loader wants, one tuple per
row). The same arguments always give the same thread: everything is drawn
from one seeded :class:`random.Random`, whose sequences CPython keeps stable.

The shape follows real comment sections:

* about 3% of comments are top level (the first one always is);
* a reply goes to one of the last 40 comments 70% of the time, to any older
  comment 12% and to a random top-level comment 18%; replies cluster near the
  top (the target is climbed up to a randomly drawn depth, so depth 1 is the
  most common and depth 8 is rare);
* a few "debate chains" (about one per 20,000 comments, from 1,000 comments
  on) start at a new top-level comment and go 50 to 110 levels deep, each
  reply answering the previous one while the rest of the thread goes on;
* bodies are one to a dozen sentences (median about 150 characters) with
  accents, emoji and some Chinese, Japanese and Korean text; a few carry a
  Markdown link;
* timestamps start at 2024-01-01 UTC and strictly increase with the id;
* about 1% of leaf comments are pending and 0.3% spam, and about 0.3% of
  comments with replies are deleted placeholders (no author, no body);
* ``reply_count`` counts approved replies and placeholders, as stores do.

>>> thread = generate_thread(500, seed=7)
>>> thread == generate_thread(500, seed=7)
True
>>> [c.id for c in thread[:3]], thread[0].parent_id
([1, 2, 3], None)
"""

from __future__ import annotations

import contextlib
import gc
import html
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol, TypeVar

from threadkit.models import (
    DELETED_AUTHOR,
    Comment,
    Identity,
    RequestContext,
    Status,
    Visibility,
)

__all__ = [
    "DELETED_AUTHOR",
    "EPOCH",
    "LoadRow",
    "ThreadRow",
    "depth_first",
    "generate_rows",
    "generate_thread",
    "plain_html",
    "shuffled",
    "to_comment",
    "with_context",
]

#: The first generated comment's timestamp.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


_TOP_SHARE = 0.03
_RECENT_WINDOW = 40
_RECENT_SHARE = 0.7
_ANY_SHARE = 0.4  # of the other replies: to any older comment (else to a top-level one)
_CLIMB_ON = 0.6  # chance to accept one level deeper when drawing a reply's depth
_CLIMB_CAP = 12
_DEBATE_EVERY = 20_000
_DEBATE_FROM = 1_000
_DEBATE_SHARE = 0.35  # while a debate runs, share of new comments that extend it
_PENDING_SHARE = 0.01
_SPAM_SHARE = 0.003
_DELETED_SHARE = 0.003
_MEAN_GAP_SECONDS = 30.0

_WORDS = (
    "the", "a", "and", "of", "to", "in", "is", "it", "that", "this", "for", "with", "on", "as",
    "was", "but", "not", "you", "I", "we", "they", "comment", "post", "thread", "reply", "point",
    "agree", "disagree", "think", "really", "good", "great", "idea", "thanks", "article",
    "author", "source", "example", "case", "data", "result", "question", "answer", "wrong",
    "right", "maybe", "probably", "actually", "exactly", "interesting", "useful", "update",
    "version", "bug", "fix", "test", "code", "performance", "memory", "database", "server",
    "page", "blog", "read", "write", "long", "short", "first", "last", "again", "never", "always",
    "because", "however", "although", "therefore",
)  # fmt: skip
_SPICE = (
    "café", "naïve", "résumé", "Zürich", "São Paulo", "smörgåsbord", "façade",
    "Ελληνικά", "Привет", "élan", "jalapeño", "Ångström", "crème brûlée",
    "👍", "😂", "🎉", "🤔", "❤️", "👍🏽", "🇫🇷", "🚀", "🙏",
    "日本語", "中文", "評論", "ありがとう", "한국어", "你好世界", "東京",
)  # fmt: skip
_NAMES = (
    "Ada", "Grace", "Linus", "Zoë", "José", "Björn", "Chloé", "Søren", "Łukasz",
    "Dvořák", "Ngozi", "Aiyana", "Mateo", "Yuki", "Li Wei", "Ana María",
    "Σωκράτης", "Дмитрий", "さくら", "민준",
)  # fmt: skip
_SENTENCE_POOL_SIZE = 512
_sentences: tuple[str, ...] = ()


class ThreadRow(NamedTuple):
    """One generated comment as a plain tuple, ready for a bulk insert."""

    id: int
    parent_id: int | None
    root_id: int
    depth: int
    author: Identity
    body_source: str
    body_html: str
    status: Status
    created_at: datetime
    upvotes: int
    downvotes: int
    reply_count: int


class LoadRow(NamedTuple):
    """A generated row plus the request it came with: what a store's ``bulk_load`` takes."""

    id: int
    parent_id: int | None
    author: Identity
    body_source: str
    body_html: str
    status: Status
    created_at: datetime
    upvotes: int
    downvotes: int
    context: RequestContext


def with_context(rows: Iterable[ThreadRow], ip_of: Callable[[Identity], str]) -> list[LoadRow]:
    """Give every generated row its author's IP (``ip_of``), so IP history exists too.

    A deleted placeholder has no author, so it keeps no IP.
    """
    return [
        LoadRow(
            row.id,
            row.parent_id,
            row.author,
            row.body_source,
            row.body_html,
            row.status,
            row.created_at,
            row.upvotes,
            row.downvotes,
            RequestContext(ip="" if row.status is Status.DELETED else ip_of(row.author)),
        )
        for row in rows
    ]


class _Linked(Protocol):
    """Anything with an id and a parent id (a Comment, a ThreadRow)."""

    @property
    def id(self) -> int: ...

    @property
    def parent_id(self) -> int | None: ...


_R = TypeVar("_R", bound=_Linked)


def plain_html(source: str) -> str:
    """Render generated text as HTML paragraphs (escaped; no Markdown)."""
    return "\n".join(f"<p>{html.escape(part)}</p>" for part in source.split("\n\n"))


def _sentence_pool() -> tuple[str, ...]:
    """Return the fixed pool of sentences bodies are made of (built once)."""
    global _sentences
    if not _sentences:
        rng = random.Random(0x7EAD)
        pool = []
        for index in range(_SENTENCE_POOL_SIZE):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 18))]
            for _ in range(rng.randint(0, 2)):
                words.insert(rng.randrange(len(words) + 1), rng.choice(_SPICE))
            if index % 37 == 0:
                words.append(f"[see this](https://example.org/notes/{index})")
            text = " ".join(words)
            pool.append(text[0].upper() + text[1:] + rng.choice(".!?."))
        _sentences = tuple(pool)
    return _sentences


def _authors(count: int) -> list[Identity]:
    """Return ``count`` distinct generated identities."""
    return [
        Identity(
            provider="anonymous" if k % 3 else "github",
            subject=f"user-{k}",
            name=f"{_NAMES[k % len(_NAMES)]} {k}",
            email=f"user{k}@example.org" if k % 4 else None,
            url=f"https://example.org/~user{k}" if k % 5 == 0 else None,
            verified=k % 3 == 0,
        )
        for k in range(count)
    ]


def _body(rng: random.Random, pool: Sequence[str], escaped: Sequence[str]) -> tuple[str, str]:
    """Return one body (source, HTML) of one to twelve sentences, one or two paragraphs."""
    count = 1 + min(11, int(rng.expovariate(0.45)))
    picks = rng.choices(range(len(pool)), k=count)
    if count > 4:
        cut = count // 2
        first, second = picks[:cut], picks[cut:]
        source = " ".join([pool[k] for k in first]) + "\n\n" + " ".join([pool[k] for k in second])
        markup = (
            "<p>" + " ".join([escaped[k] for k in first]) + "</p>\n<p>"
            + " ".join([escaped[k] for k in second]) + "</p>"
        )  # fmt: skip
        return source, markup
    markup = "<p>" + " ".join([escaped[k] for k in picks]) + "</p>"
    return " ".join([pool[k] for k in picks]), markup


def generate_rows(n: int, *, seed: int = 0, first_id: int = 1) -> list[ThreadRow]:
    """Return a realistic thread of ``n`` comments as tuples, in id order.

    Ids run from ``first_id`` up, so several threads can share one id space.
    Deterministic: the same arguments always give the same rows.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    with _gc_paused():
        return _generate_rows(n, seed, first_id)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (millions of new objects, no cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _generate_rows(n: int, seed: int, first_id: int) -> list[ThreadRow]:
    """Do the work of :func:`generate_rows`."""
    # One generator drawn in a fixed order (shape, then statuses, then rows):
    # that order is what makes a seed give the same thread every time.
    rng = random.Random(seed)
    pool = _sentence_pool()
    escaped = [html.escape(sentence) for sentence in pool]
    authors = _authors(max(8, int(n**0.6)))
    parent, depth, root = _shape(rng, n)
    statuses, counted = _statuses(rng, parent)
    rows: list[ThreadRow] = []
    seconds = 0.0
    author_count = len(authors)
    for i in range(n):
        seconds += 0.001 + rng.expovariate(1.0 / _MEAN_GAP_SECONDS)
        body, markup = _body(rng, pool, escaped)
        up = int(rng.expovariate(0.4))
        down = int(rng.expovariate(1.5))
        author = authors[int(author_count * rng.random() ** 3)]
        status = statuses[i]
        if status is Status.DELETED:
            body, markup, author, up, down = "", "", DELETED_AUTHOR, 0, 0
        rows.append(
            ThreadRow(
                first_id + i,  # id
                None if parent[i] < 0 else first_id + parent[i],  # parent_id
                first_id + root[i],  # root_id
                depth[i],
                author,
                body,
                markup,
                status,
                EPOCH + timedelta(seconds=round(seconds, 6)),  # created_at
                up,
                down,
                counted[i],  # reply_count
            )
        )
    return rows


def _shape(rng: random.Random, n: int) -> tuple[list[int], list[int], list[int]]:
    """Draw who replies to whom: each comment's parent, depth and root, as indexes (-1: none)."""
    parent: list[int] = []
    depth: list[int] = []
    root: list[int] = []
    tops: list[int] = []
    debate_count = n // _DEBATE_EVERY + 1 if n >= _DEBATE_FROM else 0
    starts = sorted(rng.randrange(n // 20, n * 3 // 4) for _ in range(debate_count))
    debates: list[list[int]] = []  # [tip index, replies left]
    for i in range(n):
        r = rng.random()
        target = -1
        if starts and starts[0] <= i:
            starts.pop(0)
            debates.append([i, rng.randint(50, 110)])
        elif debates and r < _DEBATE_SHARE:
            debate = debates[rng.randrange(len(debates))]
            target = debate[0]
            debate[0] = i
            debate[1] -= 1
            if debate[1] == 0:
                debates.remove(debate)
        elif i and rng.random() >= _TOP_SHARE:
            target = _reply_target(rng, i, tops, parent, depth)
        parent.append(target)
        if target < 0:
            depth.append(0)
            root.append(i)
            tops.append(i)
        else:
            depth.append(depth[target] + 1)
            root.append(root[target])
    return parent, depth, root


def _reply_target(
    rng: random.Random, i: int, tops: list[int], parent: list[int], depth: list[int]
) -> int:
    """Pick the comment the ``i``-th one answers: recent, any or top level, then climb up."""
    pick = rng.random()
    if pick < _RECENT_SHARE:
        target = rng.randrange(max(0, i - _RECENT_WINDOW), i)
    elif pick < _RECENT_SHARE + (1 - _RECENT_SHARE) * _ANY_SHARE:
        target = rng.randrange(i)
    else:
        target = tops[rng.randrange(len(tops))]
    want = 0
    while want < _CLIMB_CAP and rng.random() < _CLIMB_ON:
        want += 1
    while depth[target] > want:
        target = parent[target]
    return target


def _statuses(rng: random.Random, parent: list[int]) -> tuple[list[Status], list[int]]:
    """Draw each comment's status; count each one's approved replies and placeholders."""
    n = len(parent)
    replies = [0] * n
    for p in parent:
        if p >= 0:
            replies[p] += 1
    counted = [0] * n  # replies that are approved or placeholders
    statuses: list[Status] = []
    for i in range(n):
        s = rng.random()
        if replies[i]:
            status = Status.DELETED if s < _DELETED_SHARE else Status.APPROVED
        elif s < _PENDING_SHARE:
            status = Status.PENDING
        elif s < _PENDING_SHARE + _SPAM_SHARE:
            status = Status.SPAM
        else:
            status = Status.APPROVED
        statuses.append(status)
        if parent[i] >= 0 and status in Visibility.SEEN_BY_ALL:
            counted[parent[i]] += 1
    return statuses, counted


def to_comment(row: ThreadRow, thread_key: str) -> Comment:
    """Build the :class:`~threadkit.models.Comment` a generated row stands for."""
    return Comment(
        id=row.id,
        thread_key=thread_key,
        parent_id=row.parent_id,
        root_id=row.root_id,
        depth=row.depth,
        author=row.author,
        body_source=row.body_source,
        body_html=row.body_html,
        status=row.status,
        created_at=row.created_at,
        upvotes=row.upvotes,
        downvotes=row.downvotes,
        reply_count=row.reply_count,
    )


def generate_thread(
    n: int, *, seed: int = 0, thread_key: str = "generated", first_id: int = 1
) -> list[Comment]:
    """Return a realistic thread of ``n`` comments, in id (creation) order.

    See the module docstring for its shape; :func:`generate_rows` gives the
    same thread as light tuples.
    """
    rows = generate_rows(n, seed=seed, first_id=first_id)
    with _gc_paused():
        return [to_comment(row, thread_key) for row in rows]


def depth_first(rows: Iterable[_R]) -> list[_R]:
    """Return ``rows`` in depth-first (materialized path) order, siblings by id.

    Each row is followed by all its descendants, as a store that sorts by a
    path column returns them. Rows whose parent is absent start new trees.
    Iterative, so any depth is fine.
    """
    items = sorted(rows, key=lambda row: row.id)
    present = {row.id for row in items}
    children: dict[int, list[_R]] = {}
    tops: list[_R] = []
    for row in items:
        pid = row.parent_id
        if pid is None or pid not in present or pid == row.id:
            tops.append(row)
        else:
            children.setdefault(pid, []).append(row)
    ordered: list[_R] = []
    stack = tops[::-1]
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row.id, ())))
    return ordered


def shuffled(rows: Iterable[_R], *, seed: int = 0) -> list[_R]:
    """Return ``rows`` in a random order that depends only on ``seed``."""
    items = list(rows)
    random.Random(seed).shuffle(items)
    return items
