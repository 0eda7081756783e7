"""The :class:`~threadkit.subscriptions.SubscriptionStore` part of ``MemoryStore``."""

from __future__ import annotations

import threading

import attrs

from .models import NewComment, Subscription
from .subscriptions import email_key, renewal, subscription_for, with_id

__all__ = ["SubscriptionMemoryPart"]


class SubscriptionMemoryPart:
    """Thread subscriptions, one per (thread, address), under the store's one lock."""

    _lock: threading.Lock

    def _init_subscriptions(self) -> None:
        self._last_subscription_id = 0
        self._subscriptions: dict[int, Subscription] = {}

    def _subscribe(self, draft: NewComment, comment_id: int) -> None:
        """Store the subscription ``draft`` makes; the caller holds the lock (add_comment)."""
        wanted = subscription_for(draft, comment_id)
        if wanted is None:
            return
        for sub in self._subscriptions.values():
            if (sub.thread_key, sub.email) == (wanted.thread_key, wanted.email):
                renewed = renewal(sub, wanted)
                if renewed is not None:
                    self._subscriptions[sub.id] = renewed
                return
        self._last_subscription_id += 1
        self._subscriptions[self._last_subscription_id] = with_id(
            wanted, self._last_subscription_id
        )

    def thread_subscriptions(self, thread_key: str) -> list[Subscription]:
        """Every confirmed address subscribed to ``thread_key``, once each, oldest first."""
        with self._lock:
            return [
                s
                for s in self._subscriptions.values()
                if s.thread_key == thread_key and s.confirmed
            ]

    def comment_subscription(self, comment_id: int) -> Subscription | None:
        """Return the subscription comment ``comment_id`` made or last renewed, or ``None``."""
        with self._lock:
            found = (s for s in self._subscriptions.values() if s.comment_id == comment_id)
            return next(found, None)

    def confirm_subscription(self, subscription_id: int) -> Subscription | None:
        """Confirm a pending subscription (idempotent); return it, ``None`` if it ended."""
        with self._lock:
            found = self._subscriptions.get(subscription_id)
            if found is not None and not found.confirmed:
                found = self._subscriptions[subscription_id] = attrs.evolve(found, confirmed=True)
            return found

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        """Return the subscription with this id, or ``None``."""
        with self._lock:
            return self._subscriptions.get(subscription_id)

    def remove_subscription(self, subscription_id: int) -> Subscription | None:
        """End this subscription (idempotent); return it, or ``None`` if it had ended."""
        with self._lock:
            return self._subscriptions.pop(subscription_id, None)

    def subscriptions_of(
        self, *, author_key: str | None = None, email: str | None = None
    ) -> list[Subscription]:
        """Every subscription made by ``author_key`` or with ``email``, oldest first."""
        with self._lock:
            return [s for s in self._subscriptions.values() if _made_by(s, author_key, email)]

    def erase_subscriptions(
        self, *, author_key: str | None = None, email: str | None = None
    ) -> int:
        """Delete every subscription made by ``author_key`` or with ``email``; how many."""
        with self._lock:
            gone = [i for i, s in self._subscriptions.items() if _made_by(s, author_key, email)]
            for subscription_id in gone:
                del self._subscriptions[subscription_id]
            return len(gone)


def _made_by(sub: Subscription, author_key: str | None, email: str | None) -> bool:
    if author_key is not None:
        return sub.author_key == author_key
    return email is not None and sub.email == email_key(email)
