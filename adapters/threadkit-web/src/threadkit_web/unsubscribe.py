"""Ending a thread subscription from the one-click link of a "new comment" email.

The signed ``unsubscribe`` token carries ``{"subscription_id": id}``
(``threadkit_notify.Links.unsubscribe_thread`` makes it); the page that
``pages.unsubscribe_context`` builds names the thread, and a POST ends the
subscription of that address to that thread. Stopping twice is harmless: the
second time there is nothing left to end.

Confirming a pending subscription (double opt-in) works the same way: the
emailed link carries a ``subscribe`` token (``threadkit_notify.Links.
confirm_thread``); :func:`confirm_context` builds ``threadkit/subscribe.html``,
and a POST confirms. Confirming twice is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from threadkit.errors import ValidationError
from threadkit.models import Subscription
from threadkit.subscriptions import SubscriptionStore

from .state import WebState

__all__ = ["confirm_context", "thread_unsubscribe_token", "unsubscribe_thread"]


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


def _store(state: WebState, data: Mapping[str, Any]) -> tuple[SubscriptionStore, int]:
    """Return the subscriptions store and the token's subscription id (422 if either is missing)."""
    raw_id = data.get("subscription_id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int):
        raise ValidationError("invalid_token", "This link is not valid.")
    store = state.engine.store
    if not isinstance(store, SubscriptionStore):
        raise ValidationError("invalid_token", "This site keeps no thread subscriptions.")
    return store, raw_id


def _title(state: WebState, found: Subscription | None) -> str:
    if found is None:
        return ""
    thread = state.engine.store.get_thread(found.thread_key)
    return (thread.title if thread is not None else "") or found.thread_key


def unsubscribe_thread(state: WebState, data: Mapping[str, Any], *, act: bool) -> dict[str, Any]:
    """Return the page's thread part (``thread_title``); with ``act``, end the subscription."""
    store, raw_id = _store(state, data)
    found = store.remove_subscription(raw_id) if act else store.get_subscription(raw_id)
    return {"thread_title": _title(state, found), "subscribed": found is not None}


def confirm_context(state: WebState, token: str, *, act: bool) -> dict[str, Any]:
    """Return what ``threadkit/subscribe.html`` shows; with ``act``, confirm the subscription.

    ``subscribed`` is false when the subscription has ended (unsubscribed,
    erased, its comment marked spam): there is nothing left to confirm.
    """
    data = state.signer.loads("subscribe", token, now=state.clock.now())
    store, raw_id = _store(state, data)
    found = store.confirm_subscription(raw_id) if act else store.get_subscription(raw_id)
    return {
        "token": token,
        "done": act and found is not None,
        "confirmed": found is not None and found.confirmed,
        "subscribed": found is not None,
        "thread_title": _title(state, found),
    }
