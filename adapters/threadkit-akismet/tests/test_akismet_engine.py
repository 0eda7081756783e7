from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_akismet import GUARANTEED_SPAM, FakeAkismet
from threadkit_akismet import CODE_SPAM, CODE_UNAVAILABLE, AkismetStep, recheck_pending

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, Decision
from threadkit.errors import RejectedError
from threadkit.memory import MemoryStore
from threadkit.models import Actor, Identity, RequestContext, Status, Submission
from threadkit.moderation import Pipeline, default_pipeline

BLOG = "https://blog.example"
ADA = Identity("anonymous", "ada", "Ada", "ada@example.org")
SPAMMER = Identity("anonymous", "s", GUARANTEED_SPAM)
MOD = Actor(Identity("site", "admin", "Admin"), moderator=True)
CONTEXT = RequestContext("198.51.100.7", "Mozilla/5.0", "https://blog.example/p/")


@pytest.fixture
def fake() -> Iterator[FakeAkismet]:
    with FakeAkismet() as server:
        yield server


def build(fake: FakeAkismet, **options: object) -> tuple[CommentEngine, MemoryStore]:
    store = MemoryStore()
    step = AkismetStep(
        "test-key", BLOG, endpoint=fake.endpoint, store=store, **options  # type: ignore[arg-type]
    )
    engine = CommentEngine(store, pipeline=Pipeline([step]), clock=ManualClock())
    return engine, store


def post(engine: CommentEngine, author: Identity, body: str = "Nice post") -> int:
    comment = engine.post("p", Submission(body), author, CONTEXT, url="https://blog.example/p/")
    return comment.id


def test_outage_holds_then_recheck_publishes(fake: FakeAkismet) -> None:
    """Akismet down: the comment waits as pending; back up: recheck_pending publishes it."""
    engine, store = build(fake)
    fake.fault = "500"
    comment_id = post(engine, ADA)
    held = store.get_comment(comment_id)
    assert held is not None
    expected_held = (Status.PENDING, [CODE_UNAVAILABLE])
    assert expected_held == (held.status, [r.code for r in held.reasons])
    fake.fault = ""
    (result,) = recheck_pending(engine, store)
    expected = (comment_id, Status.APPROVED, ())
    assert expected == (result.id, result.status, result.reasons)


def test_recheck_of_spam_stores_spam(fake: FakeAkismet) -> None:
    """A held comment Akismet calls spam once it answers becomes spam, not public."""
    engine, store = build(fake)
    fake.fault = "garbage"
    comment_id = post(engine, SPAMMER)
    fake.fault = ""
    recheck_pending(engine, store)
    comment = store.get_comment(comment_id)
    assert comment is not None
    expected = (Status.SPAM, [CODE_SPAM])
    assert expected == (comment.status, [r.code for r in comment.reasons])


def test_discard_reject_stores_nothing(fake: FakeAkismet) -> None:
    """With discard='reject', blatant spam is refused and never stored."""
    engine, store = build(fake, discard="reject")
    fake.discard = True
    with pytest.raises(RejectedError) as caught:
        post(engine, SPAMMER)
    expected = ("akismet_discard", 0)
    assert expected == (caught.value.code, len(store.comments_by_author(SPAMMER.key)))


def test_moderator_ham_sends_submit_ham(fake: FakeAkismet) -> None:
    """Approving a comment Akismet called spam reports it with submit-ham, from stored context."""
    engine, _ = build(fake)
    comment_id = post(engine, SPAMMER, "not really spam")
    engine.moderate(comment_id, Decision.HAM, MOD)
    (form,) = fake.calls("submit-ham")
    expected = ("198.51.100.7", "Mozilla/5.0", "not really spam", "https://blog.example/p/")
    assert expected == (
        form["user_ip"],
        form["user_agent"],
        form["comment_content"],
        form["permalink"],
    )


def test_moderator_spam_sends_submit_spam(fake: FakeAkismet) -> None:
    """Marking as spam a comment Akismet let through reports it with submit-spam."""
    engine, _ = build(fake)
    comment_id = post(engine, ADA, "sneaky")
    engine.moderate(comment_id, Decision.SPAM, MOD)
    expected = ["sneaky"]
    assert expected == [f["comment_content"] for f in fake.calls("submit-spam")]


def test_recheck_through_the_default_pipeline(fake: FakeAkismet) -> None:
    """With the built-in steps too, a re-check is not mistaken for a flood or a duplicate."""
    store = MemoryStore()
    step = AkismetStep("test-key", BLOG, endpoint=fake.endpoint, store=store)
    engine = CommentEngine(
        store, pipeline=default_pipeline(store, extra=[step]), clock=ManualClock()
    )
    fake.fault = "500"
    comment_id = post(engine, ADA)
    fake.fault = ""
    results = recheck_pending(engine, store)
    expected = [(comment_id, Status.APPROVED)]
    assert expected == [(c.id, c.status) for c in results]
