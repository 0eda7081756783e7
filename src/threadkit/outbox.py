"""The outbox worker: delivers queued notifications, at least once, never losing one.

The engine never sends email or calls webhooks while it answers a request. It
queues a :class:`~threadkit.models.Notice` in the store's outbox *in the same
transaction* as the comment write (so a notification exists if and only if the
write happened), and an :class:`OutboxWorker` delivers it later:

1. ``store.claim_outbox`` takes a batch of due messages and hides them from
   other workers for ``lease_seconds`` (a worker that crashes lets them come
   back when the lease runs out);
2. for each message the worker finds the notifier named by
   ``message.channel``, reads the comment (``None`` if it has been erased
   since) and calls ``notifier.deliver``;
3. on success ``store.complete_outbox`` forgets the message; on any exception
   ``store.retry_outbox`` puts it back, due after an exponential backoff, with
   the error text in ``last_error``. After ``max_attempts`` the message is
   *parked*: due again only in ``park_for`` (ten years by default), its
   ``last_error`` starting with ``"gave up after"`` so an operator can find it
   and re-queue it. Nothing is ever silently dropped.

Delivery is at least once: a worker that dies after sending but before
``complete_outbox`` sends again after the lease. Notifiers must tolerate that
(webhook receivers can deduplicate on the delivery id).

This module does no IO of its own; the notifiers do. Run one worker per
process in a thread::

    worker = OutboxWorker(store, notifiers, clock=SystemClock())
    running = worker.start(idle_sleep=5.0)
    ...
    running.stop()

or call :meth:`OutboxWorker.run_once` from cron. Any number of workers may
run at once, on any number of machines: the store's claim keeps them apart.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from types import FrameType

import attrs

from threadkit._unique import index_unique
from threadkit.models import OutboxMessage
from threadkit.ports import Clock, Notifier, OutboxStore

__all__ = [
    "ExponentialBackoff",
    "OutboxStore",
    "OutboxWorker",
    "RunningWorker",
    "drain",
    "run_until_stopped",
]

_log = logging.getLogger(__name__)

_MAX_ERROR_LENGTH = 2000


@attrs.frozen
class ExponentialBackoff:
    """Delay before the next attempt: ``base * factor ** (attempts - 1)``, at most ``maximum``.

    With the defaults a message is retried after 30 s, 1 min, 2 min, 4 min, ...
    up to every 6 hours.

    >>> backoff = ExponentialBackoff()
    >>> [int(backoff(n).total_seconds()) for n in (1, 2, 3, 20)]
    [30, 60, 120, 21600]
    """

    base: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    maximum: timedelta = timedelta(hours=6)

    def __call__(self, attempts: int) -> timedelta:
        """Return the delay after the ``attempts``-th failed attempt (1 for the first)."""
        # At most 64 doublings, and stop once past the cap: huge counts cannot overflow.
        exponent = min(max(0, attempts - 1), 64)
        delay = self.base
        for _ in range(exponent):
            delay = delay * self.factor
            if delay >= self.maximum:
                return self.maximum
        return min(delay, self.maximum)


@attrs.define(eq=False)
class RunningWorker:
    """A worker running in a background thread; :meth:`stop` ends it."""

    thread: threading.Thread
    stop_event: threading.Event

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the worker to stop after the message in hand, and wait for it."""
        self.stop_event.set()
        self.thread.join(timeout)


def _by_channel(notifiers: Sequence[Notifier]) -> dict[str, Notifier]:
    """Index ``notifiers`` by their channel; refuse two that share one."""
    return index_unique(
        notifiers,
        lambda notifier: notifier.channel,
        lambda channel: f"two notifiers share the channel {channel!r}",
    )


def _at_least_one(_: object, field: attrs.Attribute[int], value: int) -> None:
    """Refuse a count below one, naming the argument."""
    if value < 1:
        raise ValueError(f"{field.name} must be at least 1")


def _positive(_: object, field: attrs.Attribute[float], value: float) -> None:
    """Refuse a duration that is zero or negative, naming the argument."""
    if value <= 0:
        raise ValueError(f"{field.name} must be positive")


# eq=False: workers compare by identity, as before, and stay hashable.
@attrs.define(eq=False)
class OutboxWorker:
    """Deliver queued notifications through the notifiers, with retries.

    ``notifiers`` are looked up by their ``channel``. ``batch`` messages are
    claimed at a time, each claim lasting ``lease_seconds``: choose a lease
    longer than the slowest delivery (SMTP and webhook timeouts) times the
    batch, or lower the batch. A message whose lease has run out before its
    turn comes is left alone (another worker may hold it now), so two workers
    never deliver one message at the same time.

    ``backoff(attempts)`` gives the delay before the next attempt;
    ``max_attempts`` failed attempts park the message for ``park_for``.
    A message for a channel no notifier here serves is retried the same way
    (another worker, or the next deployment, may serve it).
    """

    store: OutboxStore
    notifiers: dict[str, Notifier] = attrs.field(converter=_by_channel)
    clock: Clock = attrs.field(kw_only=True)
    batch: int = attrs.field(default=50, kw_only=True, validator=_at_least_one)
    lease_seconds: float = attrs.field(default=60.0, kw_only=True, validator=_positive)
    max_attempts: int = attrs.field(default=12, kw_only=True, validator=_at_least_one)
    backoff: Callable[[int], timedelta] = attrs.field(
        factory=ExponentialBackoff, kw_only=True
    )
    park_for: timedelta = attrs.field(default=timedelta(days=3650), kw_only=True)

    def run_once(self) -> int:
        """Claim one batch of due messages and try each; return how many were claimed.

        Every claimed message ends delivered (completed) or rescheduled
        (retried or parked), except one whose lease ran out before its turn,
        which is left to come back by itself. Store errors propagate.
        """
        claimed_at = self.clock.now()
        messages = self.store.claim_outbox(
            now=claimed_at, limit=self.batch, lease_seconds=self.lease_seconds
        )
        lease_ends = claimed_at + timedelta(seconds=self.lease_seconds)
        for message in messages:
            if self.clock.now() >= lease_ends:
                _log.warning(
                    "outbox lease ran out before message %s; it will be claimed again", message.id
                )
                continue
            self._handle(message)
        return len(messages)

    def _handle(self, message: OutboxMessage) -> None:
        notifier = self.notifiers.get(message.channel)
        try:
            if notifier is None:
                raise LookupError(f"no notifier for channel {message.channel!r} in this worker")
            comment = self.store.get_comment(message.comment_id)
            notifier.deliver(message, comment)
        except Exception as exc:
            self._reschedule(message, exc)
            return
        self.store.complete_outbox(message.id)

    def _reschedule(self, message: OutboxMessage, exc: Exception) -> None:
        now = self.clock.now()
        error = f"{type(exc).__name__}: {exc}"
        if message.attempts >= self.max_attempts:
            error = f"gave up after {message.attempts} attempts: {error}"
            due = now + self.park_for
            _log.error("outbox message %s parked: %s", message.id, error)
        else:
            due = now + self.backoff(message.attempts)
            _log.warning(
                "outbox message %s (%s) failed, attempt %s, retry at %s: %s",
                message.id,
                message.channel,
                message.attempts,
                due.isoformat(),
                error,
            )
        self.store.retry_outbox(message.id, next_attempt_at=due, error=error[:_MAX_ERROR_LENGTH])

    def run_forever(self, stop_event: threading.Event, idle_sleep: float = 5.0) -> None:
        """Deliver until ``stop_event`` is set, pausing ``idle_sleep`` seconds when idle.

        A full batch is followed at once by the next; an error (say, the
        database is briefly down) is logged and waited out, never fatal.
        """
        while not stop_event.is_set():
            try:
                claimed = self.run_once()
            except Exception:
                _log.exception("outbox worker pass failed; trying again in %ss", idle_sleep)
                claimed = 0
            if claimed < self.batch:
                stop_event.wait(idle_sleep)

    def start(self, idle_sleep: float = 5.0, *, name: str = "threadkit-outbox") -> RunningWorker:
        """Run :meth:`run_forever` in a daemon thread; stop it with ``.stop()``."""
        stop_event = threading.Event()
        thread = threading.Thread(
            target=self.run_forever, args=(stop_event, idle_sleep), name=name, daemon=True
        )
        thread.start()
        return RunningWorker(thread, stop_event)


def drain(worker: OutboxWorker) -> int:
    """Deliver everything due now, batch after batch; return how many messages were handled.

    For cron and one-off commands: stops at the first batch that comes back short,
    so it ends even while new messages keep arriving.
    """
    total = 0
    while True:
        claimed = worker.run_once()
        total += claimed
        if claimed < worker.batch:
            return total


def run_until_stopped(worker: OutboxWorker, idle_sleep: float) -> None:
    """Run ``worker`` until SIGTERM or SIGINT, sleeping ``idle_sleep`` seconds when idle.

    The signal only sets an event, so the message being delivered is finished
    (and marked) before the worker returns. Call it from the main thread.
    """
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker.run_forever(stop, idle_sleep)
