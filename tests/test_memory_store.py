"""MemoryStore against the store conformance suite, plus its own behaviour."""

from __future__ import annotations

import doctest
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal, cast

import attrs
import pytest

import threadkit.memory
from threadkit.clock import ManualClock
from threadkit.errors import ValidationError
from threadkit.memory import MemoryStore
from threadkit.models import (
    Comment,
    CommentRows,
    NewComment,
    Notice,
    SortOrder,
    Status,
    Visibility,
)
from threadkit.ports import CommentStore
from threadkit.storekit import PageQuery
from threadkit.testing import UNICODE_SAMPLES, CommentStoreSuite
from threadkit.testing.capabilities import BULK_LOAD, CONCURRENT_WRITERS, SUBSCRIPTIONS
from threadkit.testing.store_kit import ADA, EVERYONE, MODERATOR, T0, Kit


class TestMemoryStore(CommentStoreSuite):
    capabilities = frozenset({BULK_LOAD, CONCURRENT_WRITERS, SUBSCRIPTIONS})

    @pytest.fixture
    def store(self) -> CommentStore:
        return MemoryStore()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def kit(store: MemoryStore) -> Kit:
    return Kit(store, ManualClock(T0))


def test_memory_store_satisfies_the_port() -> None:
    """MemoryStore is a CommentStore for isinstance checks (runtime protocol)."""
    assert isinstance(MemoryStore(), CommentStore)


def test_module_doctest_passes() -> None:
    """The usage example in threadkit.memory's docstring runs as written."""
    result = doctest.testmod(threadkit.memory)
    assert (0, True) == (result.failed, result.attempted > 0)


# --------------------------------------------------------------- bad input


@pytest.mark.parametrize("cursor", ["", "garbage", "o.x", "o.1.2", "n.5", "t.1", "s.1.2"])
def test_foreign_page_cursor_raises_invalid_cursor(kit: Kit, cursor: str) -> None:
    """A cursor this query did not make is refused with code invalid_cursor."""
    kit.thread()
    kit.add()
    with pytest.raises(ValidationError) as caught:
        kit.store.page(
            "t1",
            sort=SortOrder.OLDEST,
            visibility=EVERYONE,
            cursor=cursor,
            top_limit=5,
            total_limit=5,
        )
    assert ("invalid_cursor", "cursor") == (caught.value.code, caught.value.field)


def test_subtree_cursor_of_another_comment_raises_invalid_cursor(kit: Kit) -> None:
    """A subtree cursor only continues the subtree it came from."""
    kit.thread()
    a = kit.add()
    b = kit.add()
    for _ in range(3):
        kit.add(a)
        kit.add(b)
    rows = kit.store.subtree(a.id, visibility=EVERYONE, total_limit=1)
    assert rows.next_cursor is not None
    with pytest.raises(ValidationError) as caught:
        kit.store.subtree(b.id, visibility=EVERYONE, cursor=rows.next_cursor, total_limit=1)
    assert "invalid_cursor" == caught.value.code


def test_subtree_cursor_after_removed_comment_raises_invalid_cursor(kit: Kit) -> None:
    """A subtree cursor whose last comment was removed asks the caller to start again."""
    kit.thread()
    top = kit.add()
    first = kit.add(top)
    kit.add(top)
    rows = kit.store.subtree(top.id, visibility=EVERYONE, total_limit=1)
    kit.store.remove_comment(first.id)
    with pytest.raises(ValidationError) as caught:
        kit.store.subtree(top.id, visibility=EVERYONE, cursor=rows.next_cursor, total_limit=1)
    assert "invalid_cursor" == caught.value.code


def test_naive_datetime_is_refused(kit: Kit) -> None:
    """A naive datetime raises ValidationError naming the field, and stores nothing."""
    kit.thread()
    draft = NewComment("t1", None, ADA, "x", "x", Status.APPROVED, datetime(2026, 1, 1))
    with pytest.raises(ValidationError) as caught:
        kit.store.add_comment(draft)
    assert ("naive_datetime", "created_at") == (caught.value.code, caught.value.field)
    assert (0, 0) == kit.count()


@pytest.mark.parametrize(
    ("top_limit", "total_limit", "field"), [(0, 5, "top_limit"), (5, 0, "total_limit")]
)
def test_page_limits_below_one_are_refused(
    kit: Kit, top_limit: int, total_limit: int, field: str
) -> None:
    """A page limit below one raises ValidationError naming the limit."""
    kit.thread()
    with pytest.raises(ValidationError) as caught:
        kit.store.page(
            "t1",
            sort=SortOrder.OLDEST,
            visibility=EVERYONE,
            top_limit=top_limit,
            total_limit=total_limit,
        )
    assert ("invalid_limit", field) == (caught.value.code, caught.value.field)


def test_vote_outside_minus_one_to_one_is_refused(kit: Kit) -> None:
    """A vote of 2 raises ValidationError and changes nothing."""
    kit.thread()
    comment = kit.add()
    with pytest.raises(ValidationError) as caught:
        kit.store.vote(comment.id, "ada", cast(Literal[1], 2))
    assert ("invalid_vote", "value") == (caught.value.code, caught.value.field)
    assert 0 == kit.get(comment).upvotes


def test_outbox_complete_and_retry_of_unknown_message_do_nothing(store: MemoryStore) -> None:
    """Completing or retrying a message that is gone is a no-op (at-least-once delivery)."""
    store.complete_outbox(99)
    store.retry_outbox(99, next_attempt_at=T0, error="late")
    assert [] == store.claim_outbox(now=T0, limit=5, lease_seconds=1)


def test_latest_comment_at_without_criteria_is_none(kit: Kit) -> None:
    """latest_comment_at with neither ip nor author_key matches nothing."""
    kit.thread()
    kit.add()
    assert None is kit.store.latest_comment_at()


# --------------------------------------------------------------- cost


class CountingVisibility:
    """A Visibility stand-in that counts how many comments a query looked at."""

    def __init__(self) -> None:
        self.looked = 0

    def can_see(self, comment: Comment) -> bool:
        """Count the look, then answer as an anonymous reader would."""
        self.looked += 1
        return EVERYONE.can_see(comment)


@pytest.mark.parametrize("sort", list(SortOrder), ids=[s.value for s in SortOrder])
def test_page_cost_depends_on_the_page_not_the_thread(store: MemoryStore, sort: SortOrder) -> None:
    """A page deep into a 3,000-comment thread looks at about one page of comments."""
    store.ensure_thread("t1", now=T0)
    for index in range(3000):
        store.add_comment(NewComment("t1", None, ADA, str(index), "", Status.APPROVED, T0))
    cursor = None
    for _ in range(100):
        rows = store.page(
            "t1", sort=sort, visibility=EVERYONE, cursor=cursor, top_limit=10, total_limit=50
        )
        cursor = rows.next_cursor
    counter = CountingVisibility()
    rows = store.page(
        "t1",
        sort=sort,
        visibility=cast(Visibility, counter),
        cursor=cursor,
        top_limit=10,
        total_limit=50,
    )
    assert 10 == len(rows.comments)
    assert 11 == counter.looked


# --------------------------------------------------------------- the suite can fail
#
# Each store below breaks one promise; the suite's test for it must notice.


class PreorderIgnoringStore(MemoryStore):
    """Lists each top-level comment's replies in creation order instead of depth first."""

    def _read_page(self, thread_key: str, query: PageQuery) -> CommentRows:
        rows = super()._read_page(thread_key, query)
        blocks: list[list[Comment]] = []
        for comment in rows.comments:
            if comment.parent_id is None:
                blocks.append([comment])
            else:
                blocks[-1].append(comment)
        ordered = [c for block in blocks for c in [block[0], *sorted(block[1:], key=_id)]]
        return CommentRows(ordered, rows.next_cursor)


class DoubleVotingStore(MemoryStore):
    """Counts every vote, even a voter's second one the same way."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def vote(self, comment_id: int, voter_key: str, value: Literal[-1, 0, 1]) -> Comment:
        self.calls += 1
        return super().vote(comment_id, f"{voter_key}#{self.calls}", value)


class NormalizingStore(MemoryStore):
    """Normalizes bodies to NFC, as some databases' collations tempt one to."""

    def add_comment(self, draft: NewComment, notices: Sequence[Notice] = ()) -> Comment:
        body = unicodedata.normalize("NFC", draft.body_source)
        return super().add_comment(attrs.evolve(draft, body_source=body), notices)


class LeakyVisibilityStore(MemoryStore):
    """Shows moderators everyone's spam too."""

    def _read_page(self, thread_key: str, query: PageQuery) -> CommentRows:
        if query.visibility.moderator:
            query = attrs.evolve(query, visibility=_SEES_ALL)
        return super()._read_page(thread_key, query)


class StickyLeaseStore(MemoryStore):
    """Keeps a retried message leased (so a retry due now waits for the lease)."""

    def retry_outbox(self, message_id: int, *, next_attempt_at: datetime, error: str) -> None:
        lease = self._leases.get(message_id)
        super().retry_outbox(message_id, next_attempt_at=next_attempt_at, error=error)
        if lease is not None:
            self._leases[message_id] = lease


class CounterSkippingStore(MemoryStore):
    """Forgets to move a parent's reply_count when a reply becomes a placeholder."""

    def update_comment(
        self, comment: Comment, notices: Sequence[Notice] = (), *, now: datetime
    ) -> Comment:
        old = self.get_comment(comment.id)
        new = super().update_comment(comment, notices, now=now)
        if old is not None and old.parent_id is not None and new.status is Status.DELETED:
            parent = self._comments[old.parent_id]
            if old.status is not Status.APPROVED:
                self._comments[parent.id] = attrs.evolve(parent, reply_count=parent.reply_count - 1)
        return new


class _SeesAll:
    def can_see(self, comment: Comment) -> bool:
        return True


_SEES_ALL = cast(Visibility, _SeesAll())


def _id(comment: Comment) -> int:
    return comment.id


def _kit(store: MemoryStore) -> Kit:
    return Kit(store, ManualClock(T0))


def test_suite_catches_replies_not_listed_depth_first() -> None:
    """The page-order test fails for a store that lists replies in creation order."""
    suite = CommentStoreSuite()
    expected = ["a", "a1", "a11", "a2", "b", "b1", "c"]
    suite.test_page_orders_top_level_by_sort_and_replies_depth_first(
        _kit(MemoryStore()), SortOrder.OLDEST, expected
    )
    with pytest.raises(AssertionError):
        suite.test_page_orders_top_level_by_sort_and_replies_depth_first(
            _kit(PreorderIgnoringStore()), SortOrder.OLDEST, expected
        )


def test_suite_catches_a_voter_counted_twice() -> None:
    """The one-vote-per-voter test fails for a store that counts repeat votes."""
    with pytest.raises(AssertionError):
        CommentStoreSuite().test_each_voter_counts_once(_kit(DoubleVotingStore()))


def test_suite_catches_unicode_normalization() -> None:
    """The Unicode round-trip test fails for a store that normalizes text."""
    combining = next(s for s in UNICODE_SAMPLES if "\u0301" in s)
    with pytest.raises(AssertionError):
        CommentStoreSuite().test_unicode_round_trips_in_comments(
            _kit(NormalizingStore()), combining
        )


def test_suite_catches_spam_shown_to_moderators() -> None:
    """The visibility test fails for a store that shows moderators other people's spam."""
    suite = CommentStoreSuite()
    expected = ["top", "ada_pending", "bob_pending", "placeholder", "approved", "ada_top_pending"]
    with pytest.raises(AssertionError):
        suite.test_page_shows_each_reader_what_visibility_allows(
            _kit(LeakyVisibilityStore()), MODERATOR, expected
        )


def test_suite_catches_a_lease_kept_after_retry() -> None:
    """The retry test fails for a store that keeps the lease of a retried message."""
    with pytest.raises(AssertionError):
        CommentStoreSuite().test_retry_due_now_is_claimable_at_once(_kit(StickyLeaseStore()))


def test_suite_catches_a_reply_count_off_by_one() -> None:
    """The status-transition test fails for a store that miscounts placeholders."""
    with pytest.raises(AssertionError):
        CommentStoreSuite().test_status_change_moves_all_three_counters(
            _kit(CounterSkippingStore()), Status.PENDING, Status.DELETED
        )


def test_step_clock_moves_only_when_told() -> None:
    """The suite's clock stands still until tick() moves it forward."""
    clock = ManualClock(T0)
    assert (T0, T0) == (clock.now(), clock.now())
    assert T0 + timedelta(seconds=2, microseconds=1) == clock.tick(2)
