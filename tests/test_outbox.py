from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from threadkit.clock import ManualClock
from threadkit.memory import MemoryStore
from threadkit.models import (
    Comment,
    EventKind,
    Identity,
    NewComment,
    Notice,
    OutboxMessage,
    Status,
)
from threadkit.outbox import ExponentialBackoff, OutboxWorker

ADA = Identity("anonymous", "b1", "Ada")


class Recorder:
    """A notifier that records deliveries and fails while ``failures`` is positive."""

    def __init__(self, channel: str = "rec", kinds: tuple[EventKind, ...] = tuple(EventKind)):
        self.channel = channel
        self.kinds = kinds
        self.failures = 0
        self.delivered: list[tuple[int, EventKind, int | None]] = []
        self.during: list[OutboxMessage] = []  # set by tests that act mid-delivery
        self.hook: object = None

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        return kind in self.kinds

    def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
        if callable(self.hook):
            self.hook(message)
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("smtp down")
        self.delivered.append((message.id, message.kind, None if comment is None else comment.id))


def _post(
    store: MemoryStore,
    clock: ManualClock,
    body: str = "hi",
    *,
    channels: tuple[str, ...] = ("rec",),
    kind: EventKind = EventKind.POSTED,
) -> Comment:
    """Store an approved comment and queue one notice per channel, as the engine does."""
    store.ensure_thread("t", now=clock.now())
    draft = NewComment("t", None, ADA, body, f"<p>{body}</p>", Status.APPROVED, clock.now())
    return store.add_comment(draft, [Notice(channel, kind) for channel in channels])


def _pending(store: MemoryStore, clock: ManualClock) -> list[OutboxMessage]:
    """Every message still in the outbox (claimed far in the future, so it changes them)."""
    far = clock.now() + timedelta(days=365 * 20)
    return store.claim_outbox(now=far, limit=10_000, lease_seconds=1)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def test_delivers_and_forgets(store: MemoryStore, clock: ManualClock) -> None:
    """A queued message is delivered once with its comment and then removed from the outbox."""
    rec = Recorder()
    comment = _post(store, clock)
    worker = OutboxWorker(store, [rec], clock=clock)
    expected = 1
    assert expected == worker.run_once()
    expected_delivered = [(1, EventKind.POSTED, comment.id)]
    assert expected_delivered == rec.delivered
    expected_empty: list[OutboxMessage] = []
    assert expected_empty == _pending(store, clock)


def test_routes_by_channel(store: MemoryStore, clock: ManualClock) -> None:
    """Each message goes to the notifier named by its channel, and only there."""
    mail = Recorder("mail")
    hook = Recorder("hook")
    comment = _post(store, clock, channels=("hook",))
    OutboxWorker(store, [mail, hook], clock=clock).run_once()
    expected_mail: list[tuple[int, EventKind, int | None]] = []
    assert expected_mail == mail.delivered
    expected_hook = [(1, EventKind.POSTED, comment.id)]
    assert expected_hook == hook.delivered


def test_failure_is_retried_with_backoff(store: MemoryStore, clock: ManualClock) -> None:
    """A failed delivery comes back only after the backoff delay, then succeeds."""
    rec = Recorder()
    rec.failures = 2
    _post(store, clock)
    backoff = ExponentialBackoff(base=timedelta(seconds=10), factor=3)
    worker = OutboxWorker(store, [rec], clock=clock, backoff=backoff)

    worker.run_once()  # attempt 1 fails: due again in 10 s
    clock.advance(seconds=9)
    expected_claimed = 0
    assert expected_claimed == worker.run_once()
    clock.advance(seconds=1)
    worker.run_once()  # attempt 2 fails: due again in 30 s
    clock.advance(seconds=29)
    assert expected_claimed == worker.run_once()
    clock.advance(seconds=1)
    expected = 1
    assert expected == worker.run_once()
    expected_delivered = [(1, EventKind.POSTED, 1)]
    assert expected_delivered == rec.delivered


def test_failure_records_attempts_and_error(store: MemoryStore, clock: ManualClock) -> None:
    """A failed message keeps its attempt count, due time and the error text."""
    rec = Recorder()
    rec.failures = 1
    _post(store, clock)
    start = clock.now()
    OutboxWorker(store, [rec], clock=clock).run_once()
    (message,) = _pending(store, clock)
    expected = (2, start + timedelta(seconds=30), "ConnectionError: smtp down")
    assert expected == (message.attempts, message.next_attempt_at, message.last_error)


def test_restart_resumes_with_new_worker(store: MemoryStore, clock: ManualClock) -> None:
    """A message that failed under one worker is delivered by a brand-new worker later."""
    first = Recorder()
    first.failures = 1
    _post(store, clock)
    OutboxWorker(store, [first], clock=clock).run_once()

    clock.advance(minutes=5)
    second = Recorder()
    expected = 1
    assert expected == OutboxWorker(store, [second], clock=clock).run_once()
    expected_delivered = [(1, EventKind.POSTED, 1)]
    assert expected_delivered == second.delivered


def test_lease_expiry_after_crashed_worker(store: MemoryStore, clock: ManualClock) -> None:
    """Messages claimed by a worker that died come back to another once the lease ends."""
    rec = Recorder()
    _post(store, clock)
    # The "crashed" worker: claimed, then never completed nor retried.
    store.claim_outbox(now=clock.now(), limit=10, lease_seconds=60)
    survivor = OutboxWorker(store, [rec], clock=clock, lease_seconds=60)
    clock.advance(seconds=59)
    expected_none = 0
    assert expected_none == survivor.run_once()
    clock.advance(seconds=1)
    expected_one = 1
    assert expected_one == survivor.run_once()
    expected_delivered = [(1, EventKind.POSTED, 1)]
    assert expected_delivered == rec.delivered


def test_second_worker_cannot_take_a_message_in_delivery(
    store: MemoryStore, clock: ManualClock
) -> None:
    """While one worker is delivering a message, another worker's pass does not get it."""
    _post(store, clock, "one")
    _post(store, clock, "two")
    other_rec = Recorder()
    other = OutboxWorker(store, [other_rec], clock=clock, batch=1)
    rec = Recorder()
    seen_by_other: list[int] = []

    def meanwhile(message: OutboxMessage) -> None:
        other.run_once()
        seen_by_other.extend(m for m, _, _ in other_rec.delivered)

    rec.hook = meanwhile
    OutboxWorker(store, [rec], clock=clock, batch=1).run_once()
    # The first worker holds message 1; the second could only take message 2.
    expected = ([1], [2])
    assert expected == ([m for m, _, _ in rec.delivered], seen_by_other)


def test_two_threads_deliver_each_message_exactly_once(store: MemoryStore) -> None:
    """Two workers racing in real threads never overlap on a message and lose none."""
    from threadkit.clock import SystemClock

    in_flight: set[int] = set()
    overlaps: list[int] = []
    delivered: list[int] = []
    guard = threading.Lock()

    class Slow:
        channel = "rec"

        def wants(self, kind: EventKind, comment: Comment) -> bool:
            return True

        def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
            with guard:
                if message.id in in_flight:
                    overlaps.append(message.id)
                in_flight.add(message.id)
            time.sleep(0.001)
            with guard:
                in_flight.discard(message.id)
                delivered.append(message.id)

    for n in range(60):
        _post(store, ManualClock(), f"comment {n}")
    workers = [OutboxWorker(store, [Slow()], clock=SystemClock(), batch=5) for _ in range(2)]

    def drain(worker: OutboxWorker) -> None:
        while worker.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected_overlaps: list[int] = []
    assert expected_overlaps == overlaps
    expected_ids = list(range(1, 61))
    assert expected_ids == sorted(delivered)


def test_lease_running_out_mid_batch_leaves_the_rest(
    store: MemoryStore, clock: ManualClock
) -> None:
    """Messages whose lease ended while earlier ones were delivered are left for a new claim."""
    for body in ("one", "two", "three"):
        _post(store, clock, body)
    rec = Recorder()
    rec.hook = lambda message: clock.advance(seconds=40)  # each delivery is slow
    worker = OutboxWorker(store, [rec], clock=clock, lease_seconds=60)
    expected_claimed = 3
    assert expected_claimed == worker.run_once()
    # Message 1 starts at 0 s, message 2 at 40 s; message 3's turn (80 s) is past the lease.
    expected_first = [1, 2]
    assert expected_first == [m for m, _, _ in rec.delivered]
    rec.hook = None
    worker.run_once()
    expected_all = [1, 2, 3]
    assert expected_all == [m for m, _, _ in rec.delivered]


def test_gives_up_by_parking_never_dropping(store: MemoryStore, clock: ManualClock) -> None:
    """After max_attempts the message stays in the outbox, parked far away, with the error."""
    rec = Recorder()
    rec.failures = 1000
    _post(store, clock)
    worker = OutboxWorker(
        store, [rec], clock=clock, max_attempts=3, backoff=lambda n: timedelta(seconds=1)
    )
    for _ in range(3):
        worker.run_once()
        clock.advance(seconds=1)
    expected_none = 0
    assert expected_none == worker.run_once()
    clock.advance(days=3000)
    assert expected_none == worker.run_once()
    (message,) = _pending(store, clock)
    expected = (4, "gave up after 3 attempts: ConnectionError: smtp down")
    assert expected == (message.attempts, message.last_error)


def test_unknown_channel_is_retried_not_dropped(store: MemoryStore, clock: ManualClock) -> None:
    """A message for a channel this worker does not serve waits for one that does."""
    _post(store, clock, channels=("webhook",))
    OutboxWorker(store, [Recorder("mail")], clock=clock).run_once()
    clock.advance(minutes=1)
    later = Recorder("webhook")
    OutboxWorker(store, [later], clock=clock).run_once()
    expected = [(1, EventKind.POSTED, 1)]
    assert expected == later.delivered


def test_unknown_channel_error_text(store: MemoryStore, clock: ManualClock) -> None:
    """The error kept on a message nobody could deliver names the missing channel."""
    _post(store, clock, channels=("webhook",))
    OutboxWorker(store, [Recorder("mail")], clock=clock).run_once()
    (message,) = _pending(store, clock)
    expected = "LookupError: no notifier for channel 'webhook' in this worker"
    assert expected == message.last_error


def test_erased_comment_is_delivered_as_none(store: MemoryStore, clock: ManualClock) -> None:
    """A notice about a comment removed since it was queued reaches the notifier with None."""
    rec = Recorder(kinds=(EventKind.DELETED,))
    comment = _post(store, clock, kind=EventKind.DELETED)
    store.remove_comment(comment.id)
    OutboxWorker(store, [rec], clock=clock).run_once()
    expected = [(1, EventKind.DELETED, None)]
    assert expected == rec.delivered


def test_run_forever_stops_and_survives_store_errors(clock: ManualClock) -> None:
    """run_forever logs a failing pass, keeps going, and returns once the stop event is set."""
    stop = threading.Event()
    calls: list[int] = []

    class FlakyStore(MemoryStore):
        def claim_outbox(
            self, *, now: object, limit: int, lease_seconds: float
        ) -> list[OutboxMessage]:
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("database restarting")
            if len(calls) >= 3:
                stop.set()
            return []

    worker = OutboxWorker(FlakyStore(), [], clock=clock)
    worker.run_forever(stop, idle_sleep=0)
    expected = 3
    assert expected == len(calls)


def test_start_runs_in_a_thread_and_stops(store: MemoryStore, clock: ManualClock) -> None:
    """start() delivers in the background; stop() ends the thread."""
    rec = Recorder()
    _post(store, clock)
    done = threading.Event()
    rec.hook = lambda message: done.set()
    running = OutboxWorker(store, [rec], clock=clock).start(idle_sleep=0.01)
    try:
        delivered_in_time = done.wait(30)
    finally:
        running.stop()
    expected = (True, False, [(1, EventKind.POSTED, 1)])
    assert expected == (delivered_in_time, running.thread.is_alive(), rec.delivered)


def test_exponential_backoff_grows_and_caps() -> None:
    """Delays double from the base and never exceed the maximum, even for huge counts."""
    backoff = ExponentialBackoff(timedelta(seconds=30), 2.0, timedelta(hours=6))
    expected = [30, 60, 120, 240, 21600, 21600]
    assert expected == [int(backoff(n).total_seconds()) for n in (1, 2, 3, 4, 20, 10**9)]


def test_two_notifiers_on_one_channel_are_refused(store: MemoryStore, clock: ManualClock) -> None:
    """Channel names must be unique, or messages would go to an arbitrary one."""
    with pytest.raises(ValueError, match="channel 'rec'"):
        OutboxWorker(store, [Recorder(), Recorder()], clock=clock)
