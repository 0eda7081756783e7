"""Ending a thread subscription from the one-click link of a "new comment" email.

The signed ``unsubscribe`` token carries ``{"subscription_id": id}``
(``threadkit_notify.Links.unsubscribe_thread`` makes it); the page that
``pages.unsubscribe_context`` builds names the thread, and a POST ends the
subscription of that address to that thread. Stopping twice is harmless: the
second time there is nothing left to end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from threadkit.errors import ValidationError
from threadkit.subscriptions import SubscriptionStore

from .state import WebState

__all__ = ["thread_unsubscribe_token", "unsubscribe_thread"]


def thread_unsubscribe_token(state: WebState, subscription_id: int) -> str:
    """Return the signed token of a link ending one thread subscription.

    It is what ``threadkit_notify.Links.unsubscribe_thread`` puts in its links,
    valid for ``unsubscribe_link_ttl``; the route is ``unsubscribe/<token>``.
    """
    return state.signer.dumps(
        "unsubscribe",
        {"subscription_id": subscription_id},
        now=state.clock.now(),
        ttl=state.settings.unsubscribe_link_ttl,
    )


def unsubscribe_thread(state: WebState, data: Mapping[str, Any], *, act: bool) -> dict[str, Any]:
    """Return the page's thread part (``thread_title``); with ``act``, end the subscription."""
    raw_id = data.get("subscription_id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int):
        raise ValidationError("invalid_token", "This link is not valid.")
    store = state.engine.store
    if not isinstance(store, SubscriptionStore):
        raise ValidationError("invalid_token", "This site keeps no thread subscriptions.")
    found = store.remove_subscription(raw_id) if act else store.get_subscription(raw_id)
    title = ""
    if found is not None:
        thread = store.get_thread(found.thread_key)
        title = (thread.title if thread is not None else "") or found.thread_key
    return {"thread_title": title, "subscribed": found is not None}
