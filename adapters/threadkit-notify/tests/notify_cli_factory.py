"""Factories the threadkit-outbox command tests import by name."""

from __future__ import annotations

from collections.abc import Callable

from threadkit.clock import ManualClock
from threadkit.memory import MemoryStore
from threadkit.models import Comment, EventKind, Identity, NewComment, Notice, OutboxMessage, Status
from threadkit.outbox import OutboxWorker


class Recorder:
    channel = "rec"

    def __init__(self) -> None:
        self.delivered: list[int] = []
        self.on_deliver: Callable[[], None] | None = None

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        return True

    def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
        self.delivered.append(message.id)
        if self.on_deliver is not None:
            self.on_deliver()


recorder = Recorder()


def make_worker() -> OutboxWorker:
    """A worker over a store holding five queued messages, in batches of two."""
    clock = ManualClock()
    store = MemoryStore()
    store.ensure_thread("t", now=clock.now())
    author = Identity("anonymous", "a", "Ada")
    for n in range(5):
        draft = NewComment("t", None, author, f"c{n}", "<p>c</p>", Status.APPROVED, clock.now())
        store.add_comment(draft, [Notice("rec", EventKind.POSTED)])
    recorder.delivered.clear()
    return OutboxWorker(store, [recorder], clock=clock, batch=2)


def not_a_worker() -> str:
    """A factory that returns the wrong thing."""
    return "nope"
