"""Conformance tests for write guards and idempotency keys, with parallel writers.

:class:`StoreRaceSuite` is mixed into :class:`threadkit.testing.CommentStoreSuite`,
so every store that runs the store suite runs these too; it needs only the
suite's ``store`` fixture. What is pinned (see :mod:`threadkit.guards` and
``CommentStore.add_comment`` / ``vote``):

* A guard on a draft is checked in the write: a tripped ``NoDuplicate``,
  ``MinInterval`` or ``OpenThread`` (the thread is closed) stores nothing and
  raises the guard's error; a tripped
  ``VoteQuota`` stores no new vote (changing a standing vote is never refused).
* Writers released together behave as if they ran one after the other:
  ten identical guarded drafts store one comment, four drafts from one
  address within the interval store one, twelve fresh voters from one address
  under a limit of five store five, ten drafts with one idempotency key store
  one comment and all get it back.
* An idempotency key returns its comment while it lives, refuses another
  fingerprint, and can be used again once expired.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from threadkit.engine import CommentEngine
from threadkit.errors import RateLimitedError, RejectedError, ThreadClosedError, ValidationError
from threadkit.guards import IdempotencyKey, MinInterval, NoDuplicate, OpenThread, VoteQuota
from threadkit.models import (
    Candidate,
    Comment,
    Identity,
    NewComment,
    RequestContext,
    Status,
    Submission,
    Verdict,
)
from threadkit.moderation import Pipeline
from threadkit.ports import CommentStore

__all__ = ["StoreRaceSuite"]

_T0 = datetime(2026, 3, 2, 10, 0, 0, 250000, tzinfo=UTC)
_ADA = Identity("anonymous", "race-ada", "Ada")
_IP = "198.51.100.23"
_WORKERS = 10


def _draft(
    body: str = "Same words",
    *,
    thread_key: str = "r1",
    author: Identity = _ADA,
    ip: str = _IP,
    at: datetime = _T0,
    **extra: Any,
) -> NewComment:
    return NewComment(
        thread_key,
        None,
        author,
        body,
        f"<p>{body}</p>",
        Status.APPROVED,
        at,
        context=RequestContext(ip=ip),
        **extra,
    )


def _key(raw: str = "retry-1", body: str = "Same words", *, expires: datetime) -> IdempotencyKey:
    return IdempotencyKey.for_post(
        raw, author_key=_ADA.key, thread_key="r1", parent_id=None, body=body, expires_at=expires
    )


def _together(workers: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(0..workers-1)`` in threads released at once; results or exceptions, in order."""
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # each writer's outcome is what the test inspects
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class _ClosesTheThread:
    """A moderation step during which a moderator closes the thread: the race, made certain."""

    name = "closes-the-thread"

    def __init__(self, store: CommentStore) -> None:
        self.store = store

    def check(self, candidate: Candidate) -> Verdict:
        self.store.set_thread_closed(candidate.thread.key, True)
        return Verdict.accept()


def _count(store: CommentStore, key: str = "r1") -> int:
    """Return the thread's approved-comment count."""
    thread = store.get_thread(key)
    assert thread is not None, f"thread {key!r} vanished from the store"
    return thread.comment_count


def _upvotes(store: CommentStore, comment_id: int) -> int:
    comment = store.get_comment(comment_id)
    assert comment is not None, f"comment {comment_id} vanished from the store"
    return comment.upvotes


def _codes(results: list[object]) -> list[str]:
    """Each result's error code, or ``"stored"`` for a comment."""
    return sorted(
        "stored" if isinstance(r, Comment) else getattr(r, "code", repr(r)) for r in results
    )


class StoreRaceSuite:
    """Write guards and idempotency keys under parallel writers; needs a ``store`` fixture."""

    # ------------------------------------------------------------------ one at a time

    def test_no_duplicate_guard_refuses_the_same_body_again(self, store: CommentStore) -> None:
        """A second identical draft carrying NoDuplicate stores nothing and raises duplicate."""
        store.ensure_thread("r1", now=_T0)
        store.add_comment(_draft())
        with pytest.raises(RejectedError) as caught:
            store.add_comment(_draft(at=_T0 + timedelta(minutes=5), guards=(NoDuplicate(),)))
        assert ("duplicate", 1) == (caught.value.code, _count(store, "r1"))

    def test_no_duplicate_guard_lets_other_bodies_threads_and_authors_by(
        self, store: CommentStore
    ) -> None:
        """Only the same author, thread and body trip NoDuplicate."""
        for key in ("r1", "r2"):
            store.ensure_thread(key, now=_T0)
        store.add_comment(_draft())
        guard = (NoDuplicate(),)
        bob = Identity("anonymous", "race-bob", "Bob")
        store.add_comment(_draft("Other words", guards=guard))
        store.add_comment(_draft(thread_key="r2", guards=guard))
        store.add_comment(_draft(author=bob, guards=guard))
        assert (3, 1) == (
            _count(store, "r1"),
            _count(store, "r2"),
        )

    def test_open_thread_guard_refuses_a_closed_thread(self, store: CommentStore) -> None:
        """A draft with OpenThread stores nothing once the thread is closed; without it, it does.

        The engine leaves the guard off a moderator's post: moderators may post in
        a closed thread.
        """
        store.ensure_thread("r1", now=_T0)
        store.set_thread_closed("r1", True)
        with pytest.raises(ThreadClosedError) as caught:
            store.add_comment(_draft(guards=(OpenThread(),)))
        refused = (caught.value.code, _count(store, "r1"))
        note = store.add_comment(_draft("A moderator's note"))
        assert (("thread_closed", 0), 1, "A moderator's note") == (
            refused,
            _count(store, "r1"),
            note.body_source,
        )

    def test_a_post_checked_before_a_close_is_refused_by_the_engine(
        self, store: CommentStore
    ) -> None:
        """The engine found the thread open, then a moderator closed it: the post is refused.

        A moderator's post in the same race is stored (it carries no OpenThread).
        """
        engine = CommentEngine(store, pipeline=Pipeline([_ClosesTheThread(store)]))
        with pytest.raises(ThreadClosedError) as caught:
            engine.post("r1", Submission("Just in time?"), _ADA)
        refused = (caught.value.code, _count(store, "r1"))
        store.set_thread_closed("r1", False)
        mia = Identity("site", "race-mia", "Mia", verified=True)
        note = engine.post("r1", Submission("Closing this one."), mia, moderator=True)
        thread = store.get_thread("r1")
        assert (("thread_closed", 0), 1, Status.APPROVED, True) == (
            refused,
            _count(store, "r1"),
            note.status,
            thread is not None and thread.closed,
        )

    def test_a_retry_after_the_close_gets_the_comment_stored_before_it(
        self, store: CommentStore
    ) -> None:
        """A post stored before the close, retried with its idempotency key after: same comment.

        The answer was lost, not the comment; a new post (another key) is refused.
        """
        engine = CommentEngine(store)
        first = engine.post("r1", Submission("Before the close"), _ADA, idempotency_key="k-1")
        store.set_thread_closed("r1", True)
        again = engine.post("r1", Submission("Before the close"), _ADA, idempotency_key="k-1")
        with pytest.raises(ThreadClosedError):
            engine.post("r1", Submission("After the close"), _ADA, idempotency_key="k-2")
        assert (first.id, 1) == (again.id, _count(store, "r1"))

    def test_open_thread_guard_lets_a_reopened_thread_by(self, store: CommentStore) -> None:
        """OpenThread reads the flag as it is at the write: closed, then reopened, takes posts."""
        store.ensure_thread("r1", now=_T0)
        store.set_thread_closed("r1", True)
        store.set_thread_closed("r1", False)
        stored = store.add_comment(_draft(guards=(OpenThread(),)))
        again = store.get_comment(stored.id)
        assert (1, stored.id) == (_count(store, "r1"), again.id if again else None)

    @pytest.mark.parametrize("scope", ["ip", "author"])
    def test_min_interval_guard_refuses_until_the_interval_passed(
        self, store: CommentStore, scope: str
    ) -> None:
        """MinInterval refuses with retry_after inside the interval and passes at its end."""
        store.ensure_thread("r1", now=_T0)
        store.add_comment(_draft("first"))
        value = _IP if scope == "ip" else _ADA.key
        guard = (MinInterval(scope, value, 15),)  # type: ignore[arg-type]
        other = Identity("anonymous", "race-cy", "Cy")
        author = other if scope == "ip" else _ADA
        ip = _IP if scope == "ip" else "192.0.2.99"
        with pytest.raises(RateLimitedError) as caught:
            store.add_comment(
                _draft("second", author=author, ip=ip, at=_T0 + timedelta(seconds=5), guards=guard)
            )
        later = store.add_comment(
            _draft("third", author=author, ip=ip, at=_T0 + timedelta(seconds=15), guards=guard)
        )
        assert ("too_fast", 10.0, "third") == (
            caught.value.code,
            caught.value.retry_after,
            later.body_source,
        )

    def test_idempotency_key_returns_the_first_comment(self, store: CommentStore) -> None:
        """The same live key and fingerprint gets the stored comment back, not a new one."""
        store.ensure_thread("r1", now=_T0)
        key = _key(expires=_T0 + timedelta(hours=24))
        first = store.add_comment(_draft(idempotency=key))
        again = store.add_comment(_draft(at=_T0 + timedelta(seconds=3), idempotency=key))
        found = store.find_idempotent(key, now=_T0 + timedelta(hours=1))
        assert (first, first, 1) == (again, found, _count(store, "r1"))

    def test_idempotency_key_with_another_comment_is_refused(self, store: CommentStore) -> None:
        """The same key with a different body raises idempotency_key_reused, in both calls."""
        store.ensure_thread("r1", now=_T0)
        store.add_comment(_draft(idempotency=_key(expires=_T0 + timedelta(hours=24))))
        other = _key(body="Different words", expires=_T0 + timedelta(hours=24))
        with pytest.raises(ValidationError) as found:
            store.find_idempotent(other, now=_T0)
        with pytest.raises(ValidationError) as added:
            store.add_comment(_draft("Different words", idempotency=other))
        assert ["idempotency_key_reused"] * 2 == [found.value.code, added.value.code]

    def test_an_expired_idempotency_key_can_be_used_again(self, store: CommentStore) -> None:
        """After expires_at the key finds nothing and a new comment is stored with it."""
        store.ensure_thread("r1", now=_T0)
        key = _key(expires=_T0 + timedelta(hours=1))
        first = store.add_comment(_draft(idempotency=key))
        later = _T0 + timedelta(hours=2)
        renewed = _key(expires=later + timedelta(hours=1))
        missing = store.find_idempotent(key, now=later)
        second = store.add_comment(_draft(at=later, idempotency=renewed))
        assert (None, True) == (missing, second.id != first.id)

    def test_a_key_whose_comment_was_removed_is_spent(self, store: CommentStore) -> None:
        """A live key whose comment is gone raises idempotency_key_spent, never a new comment."""
        store.ensure_thread("r1", now=_T0)
        key = _key(expires=_T0 + timedelta(hours=24))
        store.remove_comment(store.add_comment(_draft(idempotency=key)).id)
        with pytest.raises(ValidationError) as caught:
            store.add_comment(_draft(idempotency=key))
        assert ("idempotency_key_spent", 0) == (
            caught.value.code,
            _count(store, "r1"),
        )

    def test_vote_quota_refuses_new_votes_over_the_limit(self, store: CommentStore) -> None:
        """With a limit of 2 per comment, a third voter from the address is refused (429)."""
        store.ensure_thread("r1", now=_T0)
        comment = store.add_comment(_draft())
        quota = [VoteQuota(_IP, "comment", 2, 3600)]
        for index in range(2):
            store.vote(comment.id, f"v{index}", 1, ip=_IP, at=_T0, guards=quota)
        with pytest.raises(RateLimitedError) as caught:
            store.vote(comment.id, "v2", 1, ip=_IP, at=_T0 + timedelta(seconds=60), guards=quota)
        other_ip = store.vote(
            comment.id,
            "v3",
            1,
            ip="192.0.2.7",
            at=_T0,
            guards=[VoteQuota("192.0.2.7", "comment", 2, 3600)],
        )
        assert ("too_many_votes", 3540.0, 3) == (
            caught.value.code,
            caught.value.retry_after,
            other_ip.upvotes,
        )

    def test_vote_quota_counts_the_thread_and_frees_places(self, store: CommentStore) -> None:
        """A thread quota counts votes on all its comments; withdrawn or old votes free places."""
        store.ensure_thread("r1", now=_T0)
        one = store.add_comment(_draft("one"))
        two = store.add_comment(_draft("two"))
        quota = [VoteQuota(_IP, "thread", 2, 3600)]
        store.vote(one.id, "v0", 1, ip=_IP, at=_T0, guards=quota)
        store.vote(two.id, "v1", 1, ip=_IP, at=_T0 + timedelta(minutes=30), guards=quota)
        with pytest.raises(RateLimitedError):
            store.vote(two.id, "v2", -1, ip=_IP, at=_T0 + timedelta(minutes=31), guards=quota)
        changed = store.vote(two.id, "v1", -1, ip=_IP, at=_T0 + timedelta(minutes=32), guards=quota)
        store.vote(one.id, "v0", 0, ip=_IP, at=_T0 + timedelta(minutes=33), guards=quota)
        freed = store.vote(two.id, "v2", -1, ip=_IP, at=_T0 + timedelta(minutes=34), guards=quota)
        aged = store.vote(one.id, "v3", 1, ip=_IP, at=_T0 + timedelta(minutes=91), guards=quota)
        assert ((0, 1), (0, 2), (1, 0)) == (
            (changed.upvotes, changed.downvotes),
            (freed.upvotes, freed.downvotes),
            (aged.upvotes, aged.downvotes),
        )

    # ------------------------------------------------------------------ all at once

    def test_parallel_identical_posts_store_one(self, store: CommentStore) -> None:
        """Ten identical drafts with NoDuplicate released at once: one stored, nine duplicate."""
        store.ensure_thread("r1", now=_T0)
        draft = _draft(guards=(NoDuplicate(),))
        results = _together(_WORKERS, lambda i: store.add_comment(draft))
        assert (["duplicate"] * (_WORKERS - 1) + ["stored"], 1) == (
            _codes(results),
            _count(store, "r1"),
        )

    def test_parallel_posts_from_one_address_store_one_per_interval(
        self, store: CommentStore
    ) -> None:
        """Four authors posting to four threads from one IP at once: one stored, three too_fast."""
        for index in range(4):
            store.ensure_thread(f"f{index}", now=_T0)

        def post(index: int) -> Comment:
            author = Identity("anonymous", f"race-flood-{index}", f"F{index}")
            guards = (MinInterval("ip", _IP, 15), MinInterval("author", author.key, 15))
            return store.add_comment(
                _draft(f"words {index}", thread_key=f"f{index}", author=author, guards=guards)
            )

        results = _together(4, post)
        counts = store.counts([f"f{index}" for index in range(4)])
        assert (["stored", "too_fast", "too_fast", "too_fast"], 1) == (
            _codes(results),
            sum(counts.values()),
        )

    def test_a_close_racing_posts_neither_deadlocks_nor_miscounts(
        self, store: CommentStore
    ) -> None:
        """Nine guarded posts and a close released at once: each post is stored or thread_closed.

        What was stored is what the thread counts, the thread ends closed, and a
        post after the close is refused. (Which posts came first is not pinned
        here: the single-writer tests above pin the rule.)
        """
        store.ensure_thread("r1", now=_T0)

        def act(index: int) -> object:
            if index == 0:
                return store.set_thread_closed("r1", True)
            author = Identity("anonymous", f"race-close-{index}", f"C{index}")
            return store.add_comment(
                _draft(f"words {index}", author=author, guards=(OpenThread(),))
            )

        results = _together(_WORKERS, act)[1:]
        outcomes = set(_codes(results))
        stored = sum(isinstance(result, Comment) for result in results)
        with pytest.raises(ThreadClosedError):
            store.add_comment(_draft("late words", guards=(OpenThread(),)))
        thread = store.get_thread("r1")
        assert (True, stored, True) == (
            outcomes <= {"stored", "thread_closed"},
            _count(store, "r1"),
            thread is not None and thread.closed,
        )

    def test_parallel_posts_with_one_idempotency_key_store_one(self, store: CommentStore) -> None:
        """Ten drafts with one key released at once: one comment, and every writer gets it."""
        store.ensure_thread("r1", now=_T0)
        draft = _draft(idempotency=_key(expires=_T0 + timedelta(hours=24)))
        results = _together(_WORKERS, lambda i: store.add_comment(draft))
        ids = {r.id if isinstance(r, Comment) else repr(r) for r in results}
        assert (1, 1) == (len(ids), _count(store, "r1"))

    def test_parallel_fresh_voters_from_one_address_stop_at_the_quota(
        self, store: CommentStore
    ) -> None:
        """Twelve new voters from one IP at once under a limit of 5: exactly 5 votes count."""
        store.ensure_thread("r1", now=_T0)
        comment = store.add_comment(_draft())
        quota = [VoteQuota(_IP, "comment", 5, 3600)]
        results = _together(
            12, lambda i: store.vote(comment.id, f"fresh-{i}", 1, ip=_IP, at=_T0, guards=quota)
        )
        refused = sum(isinstance(r, RateLimitedError) for r in results)
        upvotes = _upvotes(store, comment.id)
        assert (5, 7) == (upvotes, refused)
