"""Thread subscriptions through the engine: the email rule, replays, and personal data."""

from __future__ import annotations

import json

import pytest

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.errors import ValidationError
from threadkit.memory import MemoryStore
from threadkit.models import Identity, Submission
from threadkit.serialization import dumps

ADA = Identity("anonymous", "ada", "Ada", email="Ada@example.org")
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
