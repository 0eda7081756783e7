"""The :class:`~threadkit.ports.OutboxStore` part of ``MemoryStore``: claim, complete, retry."""

from __future__ import annotations

import heapq
import threading
from datetime import datetime, timedelta

import attrs

from .models import OutboxMessage
from .storekit import aware

__all__ = ["OutboxMemoryPart"]


class OutboxMemoryPart:
    """The notification outbox, under the store's one lock."""

    _lock: threading.Lock
    _outbox: dict[int, OutboxMessage]
    _leases: dict[int, datetime]

    # --- notification outbox ------------------------------------------------

    def claim_outbox(
        self, *, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Claim due messages (oldest due first) as the port's ``claim_outbox`` says."""
        at = aware(now, "now")
        if limit < 1:
            return []
        with self._lock:
            due = heapq.nsmallest(
                limit,
                (
                    message
                    for message in self._outbox.values()
                    if (message.next_attempt_at is None or message.next_attempt_at <= at)
                    and self._leases.get(message.id, at) <= at
                ),
                key=lambda message: (message.next_attempt_at or message.created_at, message.id),
            )
            until = at + timedelta(seconds=lease_seconds)
            claimed = []
            for message in due:
                message = attrs.evolve(message, attempts=message.attempts + 1)
                self._outbox[message.id] = message
                self._leases[message.id] = until
                claimed.append(message)
            return claimed

    def complete_outbox(self, message_id: int) -> None:
        """Forget a delivered message (an unknown id is ignored: delivery is at-least-once)."""
        with self._lock:
            self._outbox.pop(message_id, None)
            self._leases.pop(message_id, None)

    def retry_outbox(self, message_id: int, *, next_attempt_at: datetime, error: str) -> None:
        """Put a failed message back, due again at ``next_attempt_at`` (unknown ids ignored)."""
        due = aware(next_attempt_at, "next_attempt_at")
        with self._lock:
            message = self._outbox.get(message_id)
            if message is None:
                return
            self._outbox[message_id] = attrs.evolve(message, next_attempt_at=due, last_error=error)
            self._leases.pop(message_id, None)
