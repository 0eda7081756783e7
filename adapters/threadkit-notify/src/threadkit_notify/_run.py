"""Two ways to run an outbox worker, shared by every command that starts one."""

from __future__ import annotations

import signal
import threading
from types import FrameType

from threadkit.outbox import OutboxWorker

__all__ = ["drain", "run_until_stopped"]


def drain(worker: OutboxWorker) -> int:
    """Deliver everything due now, batch after batch; return how many messages were handled.

    For cron: stops at the first batch that comes back short, so it ends even
    while new messages keep arriving.
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
    (and marked) before the worker returns.
    """
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker.run_forever(stop, idle_sleep)
