"""Thread subscription emails: "Notify me of new comments on this post"."""

from __future__ import annotations

import html
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Protocol, Unpack

from threadkit_web.i18n import N_

from threadkit.models import Comment, EventKind, OutboxMessage, Status, Subscription
from threadkit.ports import CommentLookup, ThreadLookup
from threadkit.subscriptions import SubscriptionStore, email_key

from ._email import EmailNotifier, EmailOptions, ReplyEmailNotifier
from ._i18n import Texts, recipient_language
from ._links import Links
from ._mail import Mailer

__all__ = ["ThreadEmailNotifier"]

_PUBLISHED = (EventKind.POSTED, EventKind.APPROVED)
_CONFIRM_SUBJECT = N_('Confirm your subscription to "%(title)s"')
_CONFIRM_ASK = N_('Someone, hopefully you, asked to be emailed about new comments on "%(title)s".')
_CONFIRM_IGNORE = N_("If it was not you, ignore this email: you will get no other.")


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

    Consent: a pending subscription (an address nobody vouched for) gets
    nothing but one confirmation email, sent when the comment that made it is
    published (never for a held or spam comment), with a signed link
    (``Links.confirm_thread``).
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
        """Send one email per subscriber; a failure raises and the outbox retries them all.

        A pending subscription the comment made gets its confirmation email.
        """
        for sub in self.recipients(message, comment):
            assert comment is not None  # recipients() is empty without one
            self.mailer.send(self.compose_for(message, comment, sub))
        confirmation = self.confirmation(message, comment)
        if confirmation is not None:
            self.mailer.send(confirmation)

    def confirmation(self, message: OutboxMessage, comment: Comment | None) -> EmailMessage | None:
        """Return the email asking to confirm the pending subscription ``comment`` made, if any."""
        if message.kind not in _PUBLISHED or comment is None:
            return None
        if comment.status is not Status.APPROVED:
            return None
        sub = self.subscriptions.comment_subscription(comment.id)
        if sub is None or sub.confirmed:
            return None
        thread = self.store.get_thread(comment.thread_key)
        title = (thread.title if thread is not None else "") or comment.thread_key
        _ = Texts(recipient_language(sub.language, self.language))
        to = Address(display_name=sub.name, addr_spec=sub.email)
        email = self._new_email(message, _(_CONFIRM_SUBJECT, title=title), [to])
        email.replace_header("Message-ID", str(email["Message-ID"]).replace("@", ".confirm@"))
        link = self.links.confirm_thread(sub.id)
        hello, ask = N_("Hello %(name)s,"), _CONFIRM_ASK
        act, ignore = _("Confirm the subscription"), _(_CONFIRM_IGNORE)
        lines = [_(hello, name=sub.name), "", _(ask, title=title), "", f"{act}: {link}", ""]
        email.set_content("\n".join([*lines, ignore]) + "\n")
        esc = html.escape
        paragraphs = [
            f"<p>{_.html(hello, name=sub.name)}</p>",
            f"<p>{_.html(ask, title=title)}</p>",
            f'<p><a href="{esc(link)}">{esc(act)}</a></p>',
            f"<p><small>{esc(ignore)}</small></p>",
        ]
        email.add_alternative(self._html(paragraphs), subtype="html")
        return email

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
