"""Races in the core: guards from the steps, idempotency keys in the engine, parallel posts."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from threadkit import Identity, Submission
from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.errors import RateLimitedError, RejectedError, ThreadkitError, ValidationError
from threadkit.guards import (
    IDEMPOTENCY_KEY_MAX,
    IdempotencyKey,
    MinInterval,
    NoDuplicate,
    OpenThread,
)
from threadkit.memory import MemoryStore
from threadkit.models import (
    Action,
    Candidate,
    Comment,
    NewComment,
    Notice,
    RequestContext,
    Thread,
    Verdict,
)
from threadkit.moderation import DuplicateDetection, FloodControl, default_pipeline
from threadkit.testing import CommentStoreSuite

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ADA = Identity("anonymous", "browser-ada", "Ada")
IP = "203.0.113.9"


def candidate(**changes: object) -> Candidate:
    base = Candidate(Thread("t1", T0), ADA, "Hello", RequestContext(ip=IP), T0)
    return attrs.evolve(base, **changes)


def engine(store: MemoryStore | None = None) -> tuple[CommentEngine, ManualClock]:
    store = store if store is not None else MemoryStore()
    clock = ManualClock(T0)
    return CommentEngine(store, pipeline=default_pipeline(store), clock=clock), clock


# ------------------------------------------------------------------ steps describe guards


def test_flood_control_accepts_with_an_ip_and_an_author_guard() -> None:
    """An accepted comment carries MinInterval guards for its IP and its author."""
    verdict = FloodControl(MemoryStore(), per_ip_seconds=30, per_identity_seconds=10).check(
        candidate()
    )
    expected = (MinInterval("ip", IP, 30), MinInterval("author", ADA.key, 10))
    assert (Action.ACCEPT, expected) == (verdict.action, verdict.guards)


def test_flood_control_guards_only_what_it_checks() -> None:
    """No IP, no IP guard; moderators and re-checks get no guard at all."""
    step = FloodControl(MemoryStore())
    assert ((MinInterval("author", ADA.key, 15),), (), ()) == (
        step.check(candidate(context=RequestContext())).guards,
        step.check(candidate(moderator=True)).guards,
        step.check(candidate(comment_id=3)).guards,
    )


def test_duplicate_detection_accepts_with_a_no_duplicate_guard() -> None:
    """An accepted comment carries NoDuplicate named after the step; a re-check carries none."""
    step = DuplicateDetection(MemoryStore(), name="dups")
    assert ((NoDuplicate(step="dups"),), ()) == (
        step.check(candidate()).guards,
        step.check(candidate(comment_id=3)).guards,
    )


def test_combined_verdicts_keep_every_guard() -> None:
    """Verdict.combine keeps the guards of both sides, in order."""
    one = Verdict(Action.ACCEPT, guards=(NoDuplicate(),))
    two = Verdict.hold("s", "c", "m").combine(Verdict(guards=(MinInterval("ip", IP, 5),)))
    assert (NoDuplicate(), MinInterval("ip", IP, 5)) == one.combine(two).guards


def test_the_engine_hands_the_guards_to_the_store() -> None:
    """engine.post passes the default pipeline's guards on the draft to add_comment."""
    seen: list[NewComment] = []

    class Recording(MemoryStore):
        def add_comment(self, draft: NewComment, notices: Sequence[Notice] = ()) -> Comment:
            seen.append(draft)
            return super().add_comment(draft, notices)

    eng, _ = engine(Recording())
    eng.post("t1", Submission("Hello"), ADA, RequestContext(ip=IP))
    expected = (
        OpenThread(),
        MinInterval("ip", IP, 15),
        MinInterval("author", ADA.key, 15),
        NoDuplicate(),
    )
    assert expected == seen[0].guards


def test_a_guard_the_store_trips_raises_what_the_step_would() -> None:
    """A duplicate that slipped past the pre-check is refused by the store with the same error."""

    class Forgetful(MemoryStore):
        def has_duplicate(self, thread_key: str, author_key: str, body_source: str) -> bool:
            return False  # the pre-check sees nothing, as in a race

    eng, clock = engine(Forgetful())
    eng.post("t1", Submission("Hello"), ADA, RequestContext(ip=IP))
    clock.advance(minutes=5)
    with pytest.raises(RejectedError) as caught:
        eng.post("t1", Submission("Hello"), ADA, RequestContext(ip=IP))
    assert ("duplicate", "You already posted this comment in this thread.", 422) == (
        caught.value.code,
        caught.value.message,
        caught.value.http_status,
    )


def test_a_flood_guard_the_store_trips_is_a_429_with_retry_after() -> None:
    """A flood that slipped past the pre-check is refused by the store as RateLimitedError."""

    class Forgetful(MemoryStore):
        def latest_comment_at(
            self, *, ip: str | None = None, author_key: str | None = None
        ) -> datetime | None:
            return None

    eng, clock = engine(Forgetful())
    eng.post("t1", Submission("one"), ADA, RequestContext(ip=IP))
    clock.advance(seconds=4)
    bob = Identity("anonymous", "browser-bob", "Bob")
    with pytest.raises(RateLimitedError) as caught:
        eng.post("t2", Submission("two"), bob, RequestContext(ip=IP))
    assert ("too_fast", 11.0, 429) == (
        caught.value.code,
        caught.value.retry_after,
        caught.value.http_status,
    )


# ------------------------------------------------------------------ parallel, in memory


def _together(workers: int, work: object) -> list[object]:
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)  # type: ignore[operator]
        except ThreadkitError as error:
            results[index] = error.code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_ten_identical_posts_at_once_store_one() -> None:
    """Ten threads posting the same comment through the engine: one stored, nine 422s."""
    eng, _ = engine()
    results = _together(
        10,
        lambda i: eng.post("t1", Submission("Same"), ADA, RequestContext(ip=f"192.0.2.{i}")),
    )
    stored = [r for r in results if isinstance(r, Comment)]
    assert (1, 1) == (len(stored), eng.get_thread("t1").comment_count)


class CheckThenInsertStore(MemoryStore):
    """Checks its guards, lets every writer catch up, then inserts: the old race, made certain."""

    def __init__(self, writers: int) -> None:
        super().__init__()
        self.gate = threading.Barrier(writers)

    def add_comment(self, draft: NewComment, notices: Sequence[Notice] = ()) -> Comment:
        if any(isinstance(g, NoDuplicate) for g in draft.guards) and self.has_duplicate(
            draft.thread_key, draft.author.key, draft.body_source
        ):
            raise NoDuplicate().error()
        self.gate.wait()
        return super().add_comment(attrs.evolve(draft, guards=()), notices)


def test_the_suite_catches_a_store_that_checks_then_inserts() -> None:
    """The conformance suite's parallel duplicate test fails for a check-then-insert store."""
    with pytest.raises(AssertionError):
        CommentStoreSuite().test_parallel_identical_posts_store_one(CheckThenInsertStore(10))


# ------------------------------------------------------------------ idempotency keys


def test_a_replayed_key_returns_the_first_comment() -> None:
    """The same key posted again gets the same comment, though flood and duplicate would refuse."""
    eng, clock = engine()
    first = eng.post("t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key="k-1")
    clock.advance(seconds=2)
    again = eng.post("t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key="k-1")
    assert (first, 1) == (again, eng.get_thread("t1").comment_count)


def test_the_same_key_with_another_comment_is_refused() -> None:
    """A key reused for a different body is a 422 that says to send a new key."""
    eng, clock = engine()
    eng.post("t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key="k-1")
    clock.advance(minutes=1)
    with pytest.raises(ValidationError) as caught:
        eng.post("t1", Submission("Other"), ADA, RequestContext(ip=IP), idempotency_key="k-1")
    assert ("idempotency_key_reused", "Idempotency-Key", 422) == (
        caught.value.code,
        caught.value.field,
        caught.value.http_status,
    )


def test_keys_belong_to_their_author() -> None:
    """Another author's post with the same key is a new comment, not someone else's replay."""
    eng, clock = engine()
    ada = eng.post("t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key="k-1")
    clock.advance(minutes=1)
    bob = Identity("anonymous", "browser-bob", "Bob")
    theirs = eng.post(
        "t1", Submission("Hi"), bob, RequestContext(ip="192.0.2.1"), idempotency_key="k-1"
    )
    assert (True, "Bob") == (theirs.id != ada.id, theirs.author.name)


def test_a_key_expires_after_the_policy_ttl() -> None:
    """After idempotency_ttl (24 h) the key posts anew (a duplicate body is then refused)."""
    eng, clock = engine()
    eng.post("t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key="k-1")
    clock.advance(hours=24)
    with pytest.raises(RejectedError) as caught:
        eng.post("t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key="k-1")
    fresh = eng.post(
        "t1", Submission("Hi again"), ADA, RequestContext(ip=IP), idempotency_key="k-1"
    )
    assert ("duplicate", "Hi again") == (caught.value.code, fresh.body_source)


@pytest.mark.parametrize(
    "raw", ["", " ", "has space", "tab\t", "é", "x" * (IDEMPOTENCY_KEY_MAX + 1)], ids=repr
)
def test_malformed_keys_are_refused_with_what_to_send(raw: str) -> None:
    """Empty, too long or non-visible-ASCII keys are a 422 naming the header and the rule."""
    eng, _ = engine()
    with pytest.raises(ValidationError) as caught:
        eng.post("t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key=raw)
    assert ("invalid_idempotency_key", "Idempotency-Key", 0) == (
        caught.value.code,
        caught.value.field,
        eng.counts(["t1"])["t1"],
    )
    assert "1 to 255 visible ASCII characters" in caught.value.message


def test_a_key_at_the_length_limit_is_accepted() -> None:
    """A key of exactly IDEMPOTENCY_KEY_MAX visible characters works."""
    eng, _ = engine()
    raw = "~" * IDEMPOTENCY_KEY_MAX
    first = eng.post("t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key=raw)
    assert first == eng.post(
        "t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key=raw
    )


def test_fingerprints_tell_thread_parent_and_body_apart() -> None:
    """One raw key gives one digest per author and a different fingerprint per post."""
    expires = T0 + timedelta(days=1)

    def key(
        author: str = "a", thread: str = "t", parent: int | None = None, body: str = "b"
    ) -> IdempotencyKey:
        return IdempotencyKey.for_post(
            "k",
            author_key=author,
            thread_key=thread,
            parent_id=parent,
            body=body,
            expires_at=expires,
        )

    base = key()
    assert (True, True, True, True, True) == (
        base.digest != key(author="b").digest,
        base.digest == key(body="c").digest,
        base.fingerprint != key(thread="u").fingerprint,
        base.fingerprint != key(parent=1).fingerprint,
        base.fingerprint != key(body="c").fingerprint,
    )


def test_ten_posts_with_one_key_at_once_store_one_and_all_get_it() -> None:
    """A client retrying in parallel with one key: one comment, every request answered with it."""
    eng, _ = engine()
    results = _together(
        10,
        lambda i: eng.post("t1", Submission("Hi"), ADA, RequestContext(ip=IP), idempotency_key="k"),
    )
    ids = {r.id for r in results if isinstance(r, Comment)}
    codes = sorted(r for r in results if isinstance(r, str))
    assert (1, 1) == (len(ids), eng.get_thread("t1").comment_count), codes
