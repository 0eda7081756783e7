"""Thread subscriptions through the engine: the email rule, replays, and personal data."""

from __future__ import annotations

import json

import pytest

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, Decision
from threadkit.errors import ValidationError
from threadkit.memory import MemoryStore
from threadkit.models import Actor, Identity, Submission
from threadkit.serialization import dumps

ADA = Identity("github", "ada", "Ada", email="Ada@example.org", verified=True)
ANNE = Identity("anonymous", "anne", "Anne", email="anne@example.org")
NAMELESS = Identity("anonymous", "nobody", "Nobody")
BEN = Identity("github", "ben", "Ben", email="ben@example.net", verified=True)


@pytest.fixture
def engine() -> CommentEngine:
    return CommentEngine(MemoryStore(), clock=ManualClock())


def _emails(engine: CommentEngine, key: str = "t1") -> list[str]:
    store = engine.store
    assert isinstance(store, MemoryStore)
    return [s.email for s in store.thread_subscriptions(key)]


def test_notify_thread_without_an_email_is_refused_and_stores_nothing(
    engine: CommentEngine,
) -> None:
    """No address to write to: 422 'required' at the email field; no thread, no comment."""
    with pytest.raises(ValidationError) as refused:
        engine.post("t1", Submission("Hi", notify_thread=True), NAMELESS)
    assert ("required", "email", 422) == (
        refused.value.code, refused.value.field, refused.value.http_status
    )  # fmt: skip
    assert None is engine.store.get_thread("t1")


def test_a_replayed_post_subscribes_once(engine: CommentEngine) -> None:
    """The same idempotency key twice is one comment and one subscription."""
    submission = Submission("Hi", notify_thread=True)
    first = engine.post("t1", submission, ADA, idempotency_key="k-123456789012")
    again = engine.post("t1", submission, ADA, idempotency_key="k-123456789012")
    assert (first.id, ["ada@example.org"]) == (again.id, _emails(engine))


def test_export_lists_and_erase_removes_subscriptions(engine: CommentEngine) -> None:
    """By identity key and by email, export includes subscriptions and erase deletes them."""
    engine.post("t1", Submission("Hi", notify_thread=True), ADA)
    engine.post("t2", Submission("Hi", notify_thread=True), ADA)
    engine.post("t1", Submission("Me too", notify_thread=True), BEN)
    by_email = engine.export_email("ADA@example.org")
    assert ["t1", "t2"] == [s.thread_key for s in by_email.subscriptions]
    shape = json.loads(dumps(by_email))
    assert ["ada@example.org", "ada@example.org"] == [s["email"] for s in shape["subscriptions"]]
    assert ["t1"] == [s.thread_key for s in engine.export(BEN.key).subscriptions]
    engine.erase_email("ada@example.org")
    assert (["ben@example.net"], []) == (_emails(engine), _emails(engine, "t2"))
    engine.erase(BEN.key)
    assert ([], []) == (_emails(engine), engine.export(BEN.key).subscriptions)


def test_a_comment_marked_spam_takes_its_subscription_with_it(engine: CommentEngine) -> None:
    """Spam later: the subscription the comment made goes; one made before by another stays."""
    held = engine.post("t1", Submission("Buy", notify_thread=True), ANNE)
    engine.post("t1", Submission("Hi", notify_thread=True), ADA)
    again = engine.post("t1", Submission("Hi again", notify_thread=True), ADA)
    mod = Actor(moderator=True)
    engine.moderate(held.id, Decision.SPAM, mod)
    engine.moderate(again.id, Decision.SPAM, mod)
    assert ([], ["ada@example.org"]) == (
        engine.export_email("anne@example.org").subscriptions, _emails(engine)
    )  # fmt: skip


def test_a_comment_its_author_deletes_keeps_the_subscription(engine: CommentEngine) -> None:
    """They asked for the emails; deleting the comment is not unsubscribing (WordPress keeps it)."""
    mine = engine.post("t1", Submission("Hi", notify_thread=True), ADA)
    engine.delete(mine.id, Actor(identity=ADA))
    assert ["ada@example.org"] == _emails(engine)


def test_pending_subscriptions_are_exported_and_erased(engine: CommentEngine) -> None:
    """Personal data: an unconfirmed subscription is listed (confirmed: false) and erased."""
    engine.post("t1", Submission("Hi", notify_thread=True), ANNE)
    found = engine.export_email("anne@example.org")
    shape = json.loads(dumps(found))
    assert [False] == [s.confirmed for s in found.subscriptions]
    assert [False] == [s["confirmed"] for s in shape["subscriptions"]]
    engine.erase_email("anne@example.org")
    assert [] == engine.export_email("anne@example.org").subscriptions
