"""Thread subscription emails: "Notify me of new comments on this post"."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from typing import Protocol, Unpack

from threadkit_web.i18n import N_

from threadkit.models import Comment, EventKind, OutboxMessage, Status, Subscription
from threadkit.ports import CommentLookup, ThreadLookup
from threadkit.subscriptions import SubscriptionStore, email_key

from ._email import EmailNotifier, EmailOptions, ReplyEmailNotifier
from ._links import Links
from ._mail import Mailer

__all__ = ["ThreadEmailNotifier"]

_PUBLISHED = (EventKind.POSTED, EventKind.APPROVED)


class _Store(CommentLookup, ThreadLookup, SubscriptionStore, Protocol):
    """Comments, their threads and the threads' subscribers."""


class ThreadEmailNotifier(EmailNotifier):
    """Email every subscriber of a thread once about each comment published on it.

    Subscribers are the addresses that ticked "Notify me of new comments on
    this post" (:mod:`threadkit.subscriptions`). A published comment
    (``POSTED`` as approved, or ``APPROVED`` later by a moderator) is mailed
    to each address once, never to its own author (same identity or
    address), never to an address that subscribed after the event, and, when
    ``replies`` (the site's :class:`ReplyEmailNotifier`) is given, never to
    the one person that notifier already tells about this reply. Everything
    is read again at delivery, so an unsubscribe or a moderation in between
    stops the email. Each email has its own signed one-click unsubscribe
    link (also in ``List-Unsubscribe``), and is written in the language the
    subscriber's browser asked for when they subscribed.
    """

    channel = "email-thread"

    def __init__(
        self,
        mailer: Mailer,
        store: _Store,
        links: Links,
        *,
        replies: ReplyEmailNotifier | None = None,
        **options: Unpack[EmailOptions],
    ) -> None:
        super().__init__(mailer, store, links, **options)
        self.subscriptions: _Store = store
        self.replies = replies

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        """Queue every published comment; who gets it is decided at delivery."""
        return kind in _PUBLISHED and comment.status is Status.APPROVED

    def recipients(self, message: OutboxMessage, comment: Comment | None) -> list[Subscription]:
        """Return the subscriptions to write to about ``comment`` now (one per address)."""
        if message.kind not in _PUBLISHED or comment is None:
            return []
        if comment.status is not Status.APPROVED:
            return []
        own = email_key(comment.author.email or "")
        skip = {own} if own else set()
        parent = self.replies.recipient(comment) if self.replies is not None else None
        if parent is not None and parent.author.email:
            skip.add(email_key(parent.author.email))
        return [
            sub
            for sub in self.subscriptions.thread_subscriptions(comment.thread_key)
            if sub.email not in skip
            and sub.author_key != comment.author.key
            and sub.created_at <= message.created_at
        ]

    def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
        """Send one email per subscriber; a failure raises and the outbox retries them all."""
        for sub in self.recipients(message, comment):
            assert comment is not None  # recipients() is empty without one
            self.mailer.send(self.compose_for(message, comment, sub))

    def compose(self, message: OutboxMessage, comment: Comment | None) -> EmailMessage | None:
        """Return the first subscriber's email (``deliver`` writes to each of them)."""
        found = self.recipients(message, comment)
        if not found or comment is None:
            return None
        return self.compose_for(message, comment, found[0])

    def compose_for(
        self, message: OutboxMessage, comment: Comment, sub: Subscription
    ) -> EmailMessage:
        """Write the email telling ``sub`` about ``comment``."""
        email = self._comment_email(
            message,
            comment,
            Address(display_name=sub.name, addr_spec=sub.email),
            language=sub.language,
            unsubscribe=self.links.unsubscribe_thread(sub.id),
            subject=N_('New comment on "%(title)s"'),
            intro=N_('%(name)s commented on "%(title)s":'),
            why=N_(
                "You get this email because you asked to be notified of new comments on this post."
            ),
        )
        # One Message-ID per message and subscriber, the same on every retry.
        email.replace_header("Message-ID", str(email["Message-ID"]).replace("@", f".{sub.id}@"))
        return email
