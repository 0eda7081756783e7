"""The lean write path of issue 12 in the core: Markdown parsed once, reads together."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.errors import RejectedError
from threadkit.memory import MemoryStore
from threadkit.models import Identity, RequestContext, Submission
from threadkit.moderation import default_pipeline
from threadkit.moderation._text import count_links, links_at_most
from threadkit.moderation.history import ReadsTogether, reading_together

# Pieces that make links, bare URLs, code, emphasis, entities and escapes.
_PIECES = st.sampled_from(
    [
        "http://", "https://", "ftp://", "www.", "HTTP://", "a", ".", "com", "x.y", "/",
        ":", "*", "_", "~~", "`", "```", "[", "]", "(", ")", "<", ">", "!", "[r]: ",
        "\n", " ", "    ", "\t", "> ", "- ", "&amp;", "&#104;", "\\", "\u017f", "é",
        "Www.", "wWW.", "ssh://", "hTTps://", "\u0130", "\u212a",
    ]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_links_at_most_never_undercounts(source: str) -> None:
    """The bound found without parsing is never below the parsed count."""
    assert count_links(source) <= links_at_most(source)


def test_link_limit_skips_the_parse_only_when_the_bound_allows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One link: no parse and accepted; three links: parsed and held."""
    parses: list[str] = []
    original = MarkdownIt.parse

    def counting(self: MarkdownIt, src: str, env: object = None) -> object:
        parses.append(src)
        return original(self, src, env)  # type: ignore[arg-type]

    monkeypatch.setattr(MarkdownIt, "parse", counting)
    store = MemoryStore()
    clock = ManualClock(datetime(2026, 12, 2, tzinfo=UTC), step=timedelta(seconds=16))
    engine = CommentEngine(store, pipeline=default_pipeline(store), clock=clock)
    ada = Identity("anonymous", "ada", "Ada")
    one = engine.post("t", Submission("See [the docs](https://example.org/docs)."), ada)
    assert [] == parses  # nor does the renderer: its shortcut takes simple links
    assert not one.reasons
    parses.clear()
    many = "[a](https://a.example) [b](https://b.example) [c](https://c.example)"
    held = engine.post("t", Submission(many), ada, RequestContext(ip="192.0.2.1"))
    assert [many] == parses  # the link count's (the renderer's shortcut takes the rest)
    assert ["too_many_links"] == [reason.code for reason in held.reasons]


class TogetherStore(MemoryStore):
    """A memory store that records which reads happen inside ``reads_together``."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.blocks = 0
        self.replays_outside = 0
        self.writes_inside = 0

    @contextmanager
    def reads_together(self) -> Iterator[None]:
        """Mark the block."""
        self.blocks += 1
        self.inside = True
        try:
            yield
        finally:
            self.inside = False

    def add_comment(self, draft, notices=()):  # type: ignore[no-untyped-def]
        """Count the writes made inside the block (a store may hand them its connection)."""
        self.writes_inside += self.inside
        return super().add_comment(draft, notices)

    def find_idempotent(self, key, *, now):  # type: ignore[no-untyped-def]
        """Count the replay checks made after the block (they must see fresh data)."""
        self.replays_outside += not self.inside
        return super().find_idempotent(key, now=now)


def test_a_post_reads_together_and_replays_after_a_rejection_outside() -> None:
    """The checks and the write share one block; the replay after a refusal is fresh."""
    store = TogetherStore()
    assert isinstance(store, ReadsTogether)
    engine = CommentEngine(store, pipeline=default_pipeline(store))
    ada = Identity("anonymous", "ada", "Ada")
    engine.post("t", Submission("Hello"), ada, idempotency_key="k-1")
    assert (1, 0, 1) == (store.blocks, store.replays_outside, store.writes_inside)
    with pytest.raises(RejectedError):
        engine.post("t", Submission("Hello"), ada, idempotency_key="k-2")  # a duplicate
    assert (2, 1, 1) == (store.blocks, store.replays_outside, store.writes_inside)


def test_reading_together_is_a_no_op_for_a_store_without_it() -> None:
    """A store without ``reads_together`` reads as before."""
    store = MemoryStore()
    assert not isinstance(store, ReadsTogether)
    with reading_together(store):
        assert store.get_thread("t") is None


class _Counting:
    """A store whose ``reads_together`` counts the blocks it opened."""

    def __init__(self) -> None:
        self.blocks = 0

    @contextmanager
    def reads_together(self) -> Iterator[None]:
        self.blocks += 1
        yield


class _Bare:
    """A store with no ``reads_together`` of its own."""


def _method() -> tuple[object, _Counting]:
    store = _Counting()
    return store, store


def _set_on_the_instance() -> tuple[object, _Counting]:
    store, counting = _Bare(), _Counting()
    store.reads_together = counting.reads_together  # type: ignore[attr-defined]
    return store, counting


def _absent() -> tuple[object, _Counting]:
    return _Bare(), _Counting()


@pytest.mark.parametrize("make", [_method, _set_on_the_instance, _absent])
def test_reading_together_opens_a_block_exactly_when_the_protocol_says_so(
    make: Callable[[], tuple[object, _Counting]],
) -> None:
    """Its shortcut agrees with isinstance(store, ReadsTogether), wherever the method is."""
    store, counting = make()
    with reading_together(store):
        pass
    assert (1 if isinstance(store, ReadsTogether) else 0) == counting.blocks
