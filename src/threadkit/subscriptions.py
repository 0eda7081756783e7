"""Thread subscriptions: "Notify me of new comments on this post".

A commenter who ticks the box (``Submission.notify_thread``) is subscribed to
the thread with the email address they posted with, in the same store
transaction as their comment (:meth:`~threadkit.ports.CommentWriter.add_comment`
writes what :func:`subscription_for` returns). A notifier (``threadkit_notify``'s
``ThreadEmailNotifier``) then mails every subscriber once about each comment
published on the thread. The rules every store and the engine share live here,
once.

Consent (double opt-in): an address nobody vouched for (an anonymous form
poster's, ``Identity.verified`` false) starts *pending*. The notifier mails it
one confirmation link when the comment that made it is published, and nothing
else until its owner confirms (:meth:`SubscriptionStore.confirm_subscription`).
Ticking the box again for a pending address within :data:`PENDING_WINDOW`
changes nothing (no second confirmation email); after the window the pending
row is renewed by the new comment, which brings one new confirmation email. A
verified address (a social login with an email, a site's own users) is active
at once, and confirms a pending row of the same address.

>>> from datetime import UTC, datetime
>>> from threadkit.models import Identity, NewComment, Status
>>> ada = Identity("anonymous", "b1", "Ada", email="Ada@Example.org")
>>> draft = NewComment("post-1", None, ada, "Hi", "<p>Hi</p>", Status.APPROVED,
...                    datetime(2026, 1, 1, tzinfo=UTC), notify_thread=True)
>>> subscription_for(draft, 7).email, subscription_for(draft, 7).confirmed
('ada@example.org', False)
>>> subscription_for(attrs.evolve(draft, status=Status.SPAM)) is None
True
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol, runtime_checkable

import attrs

from .errors import ValidationError
from .models import Identity, NewComment, Status, Submission, Subscription

__all__ = [
    "PENDING_WINDOW",
    "Subscription",
    "SubscriptionStore",
    "check_subscription",
    "drop_comment_subscription",
    "email_key",
    "forget_subscriptions",
    "renewal",
    "subscription_for",
    "subscriptions_of",
    "with_id",
]

PENDING_WINDOW = timedelta(days=7)
"""How long a pending subscription's confirmation link works; within it, no second one is sent."""


def email_key(email: str) -> str:
    """Return the form an address is stored and compared in: trimmed and lower-cased."""
    return email.strip().lower()


def check_subscription(submission: Submission, author: Identity) -> None:
    """Refuse ``notify_thread`` without an email address to write to (422, field ``email``)."""
    if submission.notify_thread and not (author.email or "").strip():
        raise ValidationError(
            "required",
            "Give an email address to be notified of new comments, or untick the box.",
            field="email",
        )


def subscription_for(draft: NewComment, comment_id: int = 0) -> Subscription | None:
    """Return the subscription a stored ``draft`` (comment ``comment_id``) makes, or ``None``.

    Only a draft that asks for it, has an email address and is not spam
    subscribes (a spammer must not sign strangers up). It is confirmed at
    once only when the identity provider vouches for the address.
    """
    email = email_key(draft.author.email or "")
    if not draft.notify_thread or not email or draft.status is Status.SPAM:
        return None
    return Subscription(
        thread_key=draft.thread_key,
        email=email,
        author_key=draft.author.key,
        created_at=draft.created_at,
        name=draft.author.name,
        language=draft.context.language,
        comment_id=comment_id,
        confirmed=draft.author.verified,
    )


def renewal(stored: Subscription, wanted: Subscription) -> Subscription | None:
    """Return what ``stored`` becomes when ``wanted`` asks for the same address and thread.

    ``None`` keeps it as it is: it is confirmed, or pending and younger than
    :data:`PENDING_WINDOW` (its confirmation email is enough). A verified
    ``wanted`` confirms a pending row; an older pending row is renewed by the
    new comment (one new confirmation email).
    """
    if stored.confirmed:
        return None
    if wanted.confirmed:
        return attrs.evolve(stored, confirmed=True)
    if wanted.created_at - stored.created_at < PENDING_WINDOW:
        return None
    return attrs.evolve(wanted, id=stored.id)


def with_id(subscription: Subscription, subscription_id: int) -> Subscription:
    """Return ``subscription`` as stored under ``subscription_id``."""
    return attrs.evolve(subscription, id=subscription_id)


@runtime_checkable
class SubscriptionStore(Protocol):
    """Thread subscriptions: who gets an email about each new comment on a thread.

    Contract: ``add_comment`` stores ``subscription_for(draft, comment_id)``
    (when not ``None``) in the comment's own transaction; one row per
    (thread, address), enforced by the store itself (a unique constraint, so
    two simultaneous posts cannot both insert it and neither post fails); an
    existing row becomes :func:`renewal` when that is not ``None``.
    ``thread_subscriptions`` gives the confirmed ones only, oldest first.
    ``remove_subscription`` ends the subscription of that address to that
    thread and is harmless to repeat; ``confirm_subscription`` likewise.
    Emails are compared lower-cased (:func:`email_key`). Example::

        class ListSubscriptions:
            def thread_subscriptions(self, thread_key: str) -> list[Subscription]:
                return [s for s in self.subs if s.thread_key == thread_key and s.confirmed]

            def get_subscription(self, subscription_id: int) -> Subscription | None:
                return next((s for s in self.subs if s.id == subscription_id), None)
            ...
    """

    def thread_subscriptions(self, thread_key: str) -> list[Subscription]:
        """Every confirmed address subscribed to ``thread_key``, once each, oldest first."""
        ...

    def comment_subscription(self, comment_id: int) -> Subscription | None:
        """Return the subscription comment ``comment_id`` made or last renewed, or ``None``."""
        ...

    def confirm_subscription(self, subscription_id: int) -> Subscription | None:
        """Confirm a pending subscription (idempotent); return it, ``None`` if it ended."""
        ...

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        """Return the subscription with this id, or ``None`` if it ended or never was."""
        ...

    def remove_subscription(self, subscription_id: int) -> Subscription | None:
        """End this subscription's address's subscription to its thread; return what ended.

        ``None`` when there was nothing to end (already unsubscribed).
        """
        ...

    def subscriptions_of(
        self, *, author_key: str | None = None, email: str | None = None
    ) -> list[Subscription]:
        """Return what ``author_key`` made, or what ``email`` made (ignoring case), oldest first.

        For personal-data requests; exactly one of the two is given.
        """
        ...

    def erase_subscriptions(
        self, *, author_key: str | None = None, email: str | None = None
    ) -> int:
        """Delete what :meth:`subscriptions_of` would return; return how many rows went."""
        ...


def subscriptions_of(
    store: object, *, author_key: str | None = None, email: str | None = None
) -> list[Subscription]:
    """Return one person's subscriptions (personal data); none from a store without them."""
    if not isinstance(store, SubscriptionStore):
        return []
    return store.subscriptions_of(author_key=author_key, email=email)


def forget_subscriptions(
    store: object, *, author_key: str | None = None, email: str | None = None
) -> int:
    """Erase one person's subscriptions; return how many (0 from a store without them)."""
    if not isinstance(store, SubscriptionStore):
        return 0
    return store.erase_subscriptions(author_key=author_key, email=email)


def drop_comment_subscription(store: object, comment_id: int) -> Subscription | None:
    """End the subscription comment ``comment_id`` made (it was marked spam); return it.

    A subscription another comment of that address made first is left alone.
    """
    if not isinstance(store, SubscriptionStore):
        return None
    found = store.comment_subscription(comment_id)
    return None if found is None else store.remove_subscription(found.id)
