from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from fake_akismet import GUARANTEED_SPAM, FakeAkismet
from threadkit_akismet import CODE_RECHECK, CODE_UNAVAILABLE, AkismetStep, recheck_pending

from threadkit.errors import ConflictError
from threadkit.memory import MemoryStore
from threadkit.models import (
    Action,
    Candidate,
    Comment,
    Identity,
    NewComment,
    Reason,
    RequestContext,
    Status,
)

BLOG = "https://blog.example"
START = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
ADA = Identity("anonymous", "b1", "Ada", "ada@example.org")
SPAMMER = Identity("anonymous", "b2", GUARANTEED_SPAM)
CONTEXT = RequestContext("198.51.100.7", "UA", "")


class MiniEngine:
    """Just enough of CommentEngine.recheck: re-run one step, apply its verdict."""

    def __init__(self, store: MemoryStore, step: AkismetStep, now: datetime) -> None:
        self.store, self.step, self.now = store, step, now
        self.calls: list[int] = []
        self.moderated_meanwhile: set[int] = set()

    def recheck(self, comment_id: int) -> Comment:
        self.calls.append(comment_id)
        comment = self.store.get_comment(comment_id)
        assert comment is not None
        if comment_id in self.moderated_meanwhile or comment.status is not Status.PENDING:
            raise ConflictError("not_pending", "Only pending comments are re-checked.")
        thread = self.store.get_thread(comment.thread_key)
        assert thread is not None
        verdict = self.step.check(
            Candidate(thread, comment.author, comment.body_source, comment.context, self.now,
                      comment_id=comment.id)
        )
        status = {
            Action.ACCEPT: Status.APPROVED,
            Action.HOLD: Status.PENDING,
        }.get(verdict.action, Status.SPAM)
        changed = attrs.evolve(comment, status=status, reasons=verdict.reasons)
        return self.store.update_comment(changed, now=self.now)


@pytest.fixture
def fake() -> Iterator[FakeAkismet]:
    with FakeAkismet() as server:
        yield server


def mini_engine(fake: FakeAkismet, store: MemoryStore, now: datetime) -> MiniEngine:
    """A MiniEngine over ``store`` whose Akismet step asks ``fake`` (no verify-key call)."""
    step = AkismetStep("test-key", BLOG, endpoint=fake.endpoint, verify=False)
    return MiniEngine(store, step, now)


def held(store: MemoryStore, author: Identity, code: str, minutes: int, step: str = "akismet"
         ) -> Comment:
    store.ensure_thread("post-1", url="https://blog.example/p1", now=START)
    status = Status.PENDING if code else Status.APPROVED
    reasons = (Reason(step, code, "held"),) if code else ()
    return store.add_comment(
        NewComment("post-1", None, author, f"body {minutes}", "<p>b</p>", status,
                   START + timedelta(minutes=minutes), reasons, CONTEXT)
    )


def test_rechecks_only_comments_held_for_akismet_oldest_first(fake: FakeAkismet) -> None:
    """Only pending comments held by Akismet's outage or recheck codes are re-checked, in order."""
    store = MemoryStore()
    first = held(store, ADA, CODE_UNAVAILABLE, 1)
    held(store, ADA, "first_comment", 2, step="first-time")  # another step's hold: left alone
    held(store, ADA, "", 3)  # approved: left alone
    second = held(store, ADA, CODE_RECHECK, 4)
    engine = mini_engine(fake, store, START + timedelta(hours=1))
    recheck_pending(engine, store)
    expected = [first.id, second.id]
    assert expected == engine.calls


def test_recovered_service_applies_new_verdicts(fake: FakeAkismet) -> None:
    """Once Akismet answers, ham is published and spam is stored as spam."""
    store = MemoryStore()
    ham = held(store, ADA, CODE_UNAVAILABLE, 1)
    spam = held(store, SPAMMER, CODE_UNAVAILABLE, 2)
    results = recheck_pending(mini_engine(fake, store, START), store)
    expected = [(ham.id, Status.APPROVED), (spam.id, Status.SPAM)]
    assert expected == [(c.id, c.status) for c in results]


def test_recheck_sends_reason_and_original_date(fake: FakeAkismet) -> None:
    """A queue re-check says recheck_reason=recheck_queue and gives the comment's own date."""
    store = MemoryStore()
    held(store, ADA, CODE_UNAVAILABLE, 5)
    recheck_pending(mini_engine(fake, store, START + timedelta(days=1)), store)
    form = fake.calls("comment-check")[0]
    expected = ("recheck_queue", "2026-05-04T12:05:00Z")
    assert expected == (form["recheck_reason"], form["comment_date_gmt"])


def test_stops_while_still_unavailable(fake: FakeAkismet) -> None:
    """If Akismet is still down, the run stops after the first comment instead of hammering."""
    store = MemoryStore()
    first = held(store, ADA, CODE_UNAVAILABLE, 1)
    held(store, ADA, CODE_UNAVAILABLE, 2)
    fake.fault = "500"
    engine = mini_engine(fake, store, START)
    results = recheck_pending(engine, store)
    expected = ([first.id], [(first.id, Status.PENDING)])
    assert expected == (engine.calls, [(c.id, c.status) for c in results])


def test_can_keep_going_while_unavailable(fake: FakeAkismet) -> None:
    """stop_while_unavailable=False tries every selected comment regardless."""
    store = MemoryStore()
    ids = [held(store, ADA, CODE_UNAVAILABLE, n).id for n in range(3)]
    fake.fault = "500"
    engine = mini_engine(fake, store, START)
    recheck_pending(engine, store, stop_while_unavailable=False)
    assert ids == engine.calls


def test_skips_comments_moderated_meanwhile(fake: FakeAkismet) -> None:
    """A comment a moderator handled between listing and re-checking is skipped, not an error."""
    store = MemoryStore()
    gone = held(store, ADA, CODE_UNAVAILABLE, 1)
    kept = held(store, ADA, CODE_UNAVAILABLE, 2)
    engine = mini_engine(fake, store, START)
    engine.moderated_meanwhile.add(gone.id)
    results = recheck_pending(engine, store)
    expected = [kept.id]
    assert expected == [c.id for c in results]


def test_limit_and_paging(fake: FakeAkismet) -> None:
    """Selection pages through the queue and re-checks at most `limit`, oldest first."""
    store = MemoryStore()
    ids = [held(store, ADA, CODE_UNAVAILABLE, n).id for n in range(7)]
    engine = mini_engine(fake, store, START)
    recheck_pending(engine, store, limit=5, page_size=2)
    # The queue is read newest first, so the five newest are picked, then re-checked oldest first.
    assert ids[2:] == engine.calls
