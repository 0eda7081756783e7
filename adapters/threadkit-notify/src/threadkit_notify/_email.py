"""Email notifiers: moderators hear about held comments, commenters about replies."""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol, Required, TypedDict, Unpack

from threadkit_web.i18n import N_
from threadkit_web.reasons import reason_sentence

from threadkit.models import Comment, EventKind, OutboxMessage, Status, Thread
from threadkit.ports import CommentLookup, ThreadLookup

from ._i18n import Texts, recipient_language
from ._links import Links
from ._mail import Mailer

__all__ = ["EmailNotifier", "ModeratorEmailNotifier", "ReplyEmailNotifier"]


class _Store(CommentLookup, ThreadLookup, Protocol):
    """A comment and its thread: what a mail about a comment needs."""


class EmailOptions(TypedDict, total=False):
    """The keyword settings every email notifier takes (see :class:`EmailNotifier`)."""

    sender: Required[str]
    site_name: str
    channel: str | None
    language: str


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines() or [""])


def _permalink(thread: Thread | None, comment_id: int) -> str:
    if thread is None or not thread.url:
        return ""
    return f"{thread.url.split('#', 1)[0]}#comment-{comment_id}"


def _title(thread: Thread | None, key: str) -> str:
    return (thread.title if thread is not None and thread.title else "") or key


def one_click(email: EmailMessage, unsubscribe: str) -> None:
    """Add RFC 8058 one-click unsubscribe headers (``-Post`` only for an https link)."""
    email["List-Unsubscribe"] = f"<{unsubscribe}>"
    if unsubscribe.startswith("https://"):
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


class EmailNotifier:
    """What the email notifiers share: a mailer, the store, signed links, a sender.

    Subclasses decide which events they want (``wants``) and write the email
    (``compose``, returning ``None`` when nothing should be sent after all,
    e.g. the comment was moderated or erased before the worker got to it).
    ``deliver`` sends what ``compose`` made and lets failures raise, so the
    outbox worker retries. ``sender`` is a From header such as
    ``"Blog <noreply@blog.example>"``; ``site_name`` prefixes subjects.
    ``language`` is the site's (``"de"``): moderators' emails are written in
    it, and a commenter's when their browser asked for no shipped language.
    """

    channel = "email"

    def __init__(
        self,
        mailer: Mailer,
        store: _Store,
        links: Links,
        *,
        sender: str,
        site_name: str = "",
        channel: str | None = None,
        language: str = "en",
    ) -> None:
        if "@" not in parseaddr(sender)[1]:
            raise ValueError(f"sender must contain an email address, got {sender!r}")
        self.mailer = mailer
        self.store = store
        self.links = links
        self.sender = sender
        self.site_name = site_name
        self.language = language
        if channel is not None:
            self.channel = channel

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        """Whether an event is worth queueing; subclasses say."""
        raise NotImplementedError

    def compose(self, message: OutboxMessage, comment: Comment | None) -> EmailMessage | None:
        """Write the email for ``message``, or return ``None`` to send nothing."""
        raise NotImplementedError

    def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
        """Send the email ``compose`` writes; raise if sending fails."""
        email = self.compose(message, comment)
        if email is not None:
            self.mailer.send(email)

    # ------------------------------------------------------------------ helpers

    def _subject(self, text: str) -> str:
        return f"[{self.site_name}] {text}" if self.site_name else text

    def _new_email(
        self, message: OutboxMessage, subject: str, to: Sequence[Address]
    ) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = to
        email["Subject"] = self._subject(subject)
        email["Date"] = format_datetime(self.links.clock.now())
        domain = parseaddr(self.sender)[1].rpartition("@")[2]
        # Stable across retries of one outbox message, so mail clients can
        # collapse the rare duplicate that at-least-once delivery allows.
        stamp = int(message.created_at.timestamp())
        email["Message-ID"] = f"<threadkit.{message.id}.{stamp}.{self.channel}@{domain}>"
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        return email

    def _comment_email(
        self,
        message: OutboxMessage,
        comment: Comment,
        to: Address,
        *,
        language: str,
        unsubscribe: str,
        subject: str,
        intro: str,
        why: str,
    ) -> EmailMessage:
        """Write an email telling ``to`` about a published comment, with a one-click way out.

        ``subject`` and ``intro`` (``%(name)s``: the comment's author, ``%(title)s``:
        the thread) and ``why`` are untranslated (``N_``); ``language`` is the
        recipient's ``Accept-Language``.
        """
        thread = self.store.get_thread(comment.thread_key)
        _ = Texts(recipient_language(language, self.language))
        title = _title(thread, comment.thread_key)
        link = _permalink(thread, comment.id)
        email = self._new_email(message, _(subject, title=title), [to])
        one_click(email, unsubscribe)
        hello = N_("Hello %(name)s,")
        read, stop = _("Read the conversation"), _("Stop these emails")
        lines = [
            _(hello, name=to.display_name),
            "",
            _(intro, name=comment.author.name, title=title),
        ]
        lines += ["", _quote(comment.body_source), ""]
        lines += [f"{read}: {link}", ""] if link else []
        lines += [_(why), f"{stop}: {unsubscribe}"]
        email.set_content("\n".join(lines) + "\n")
        esc = html.escape
        paragraphs = [
            f"<p>{_.html(hello, name=to.display_name)}</p>",
            f"<p>{_.html(intro, name=comment.author.name, title=title)}</p>",
            f"<blockquote>{comment.body_html}</blockquote>",
        ]
        if link:
            paragraphs.append(f'<p><a href="{esc(link)}">{esc(read)}</a></p>')
        paragraphs.append(
            f'<p><small>{esc(_(why))} <a href="{esc(unsubscribe)}">{esc(stop)}</a>.</small></p>'
        )
        email.add_alternative(self._html(paragraphs), subtype="html")
        return email

    @staticmethod
    def _html(paragraphs: Sequence[str]) -> str:
        body = "\n".join(paragraphs)
        head = '<!doctype html>\n<html><body style="font-family:sans-serif">\n'
        return f"{head}{body}\n</body></html>\n"


class ModeratorEmailNotifier(EmailNotifier):
    """Email moderators about comments waiting for review, with one-click links.

    By default only ``HELD`` events are sent (``kinds`` widens that, e.g. to
    ``POSTED`` for "every new comment" mail). The email shows the comment,
    its author (name, email, URL, IP: moderators need them), every reason it
    was held, and signed links to approve it or mark it spam that expire
    after ``links.moderate_ttl``. A held comment dealt with before the email
    goes out is not mailed about.
    """

    channel = "email-moderators"

    def __init__(
        self,
        mailer: Mailer,
        store: _Store,
        links: Links,
        *,
        moderators: Sequence[str],
        kinds: Collection[EventKind] = frozenset({EventKind.HELD}),
        **options: Unpack[EmailOptions],
    ) -> None:
        super().__init__(mailer, store, links, **options)
        self.moderators = [Address(addr_spec=address) for address in moderators]
        self.kinds = frozenset(kinds)

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        """Queue the configured kinds, when there is someone to tell."""
        return kind in self.kinds and bool(self.moderators)

    def compose(self, message: OutboxMessage, comment: Comment | None) -> EmailMessage | None:
        """Write the moderation email, or ``None`` if the comment is gone or already handled."""
        if comment is None or comment.status is Status.DELETED:
            return None
        held = message.kind is EventKind.HELD
        if held and comment.status is not Status.PENDING:
            return None
        thread = self.store.get_thread(comment.thread_key)
        _ = Texts(self.language)
        title = _title(thread, comment.thread_key)
        subject = (
            _('Please moderate: "%(title)s"', title=title)
            if held
            else _('New comment on "%(title)s"', title=title)
        )
        intro = (
            N_('A new comment on "%(title)s" is waiting for your approval.')
            if held
            else N_('A new comment was posted on "%(title)s".')
        )
        link = _permalink(thread, comment.id) or (thread.url if thread is not None else "")
        who = self._who(_, comment)
        reasons = [f"{reason_sentence(r, _.gettext)} ({r.step}: {r.code})" for r in comment.reasons]
        actions = self._actions(_, comment)
        days = self.links.moderate_ttl.days
        expiry = (
            _.ngettext(
                "These links work for %(num)s day.", "These links work for %(num)s days.", days
            )
            if days
            else _("These links expire soon.")
        )
        lines = [_(intro, title=title), link, "", *who]
        if reasons:
            lines += ["", _("Why it was held:") if held else _("Notes from moderation:")]
            lines += [f"- {reason}" for reason in reasons]
        lines += ["", _("Comment:"), _quote(comment.body_source), ""]
        lines += [f"{label}: {url}" for label, url in actions]
        lines += ["", expiry]
        email = self._new_email(message, subject, self.moderators)
        email.set_content("\n".join(lines) + "\n")
        esc = html.escape
        paragraphs = [f"<p>{_.html(intro, title=title)}</p>"]
        if link:
            paragraphs.append(f'<p><a href="{esc(link)}">{esc(link)}</a></p>')
        paragraphs.append("<p>" + "<br>".join(esc(line) for line in who) + "</p>")
        if reasons:
            paragraphs.append("<ul>" + "".join(f"<li>{esc(r)}</li>" for r in reasons) + "</ul>")
        paragraphs.append(f"<blockquote>{comment.body_html}</blockquote>")
        paragraphs.append(
            "<p>"
            + " &nbsp; ".join(f'<a href="{esc(url)}">{esc(label)}</a>' for label, url in actions)
            + "</p>"
        )
        email.add_alternative(self._html(paragraphs), subtype="html")
        return email

    @staticmethod
    def _who(_: Texts, comment: Comment) -> list[str]:
        """Return the author's details a moderator needs, one line each."""
        author = comment.author
        lines = [_("Author: %(name)s", name=author.name)]
        lines += [_("Email: %(email)s", email=author.email)] if author.email else []
        lines += [_("URL: %(url)s", url=author.url)] if author.url else []
        ip = comment.context.ip
        lines += [_("IP address: %(ip)s", ip=ip)] if ip else []
        return lines

    def _actions(self, _: Texts, comment: Comment) -> list[tuple[str, str]]:
        """Return the one-click decisions (label, signed link) that still change something."""
        actions: list[tuple[str, str]] = []
        if comment.status is not Status.APPROVED:
            actions.append((_("Approve it"), self.links.moderate(comment.id, "approve")))
        if comment.status is not Status.SPAM:
            actions.append((_("Mark it as spam"), self.links.moderate(comment.id, "spam")))
        return actions


class ReplyEmailNotifier(EmailNotifier):
    """Email a commenter once when a reply to their comment is published.

    Only commenters who ticked "Notify me of replies" (``notify_replies``)
    and gave an email are written to, never about their own replies, and
    only for published replies (``POSTED`` as approved, or ``APPROVED`` by a
    moderator). Everything is checked again at delivery, so an unsubscribe
    or a moderation in between stops the email. Each email carries a signed
    unsubscribe link, also in ``List-Unsubscribe`` with
    ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058; the
    one-click header is only sent for an https link, as the RFC requires).
    """

    channel = "email-replies"

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        """Queue published replies whose parent's author asked to hear about them."""
        return (
            kind in (EventKind.POSTED, EventKind.APPROVED) and self.recipient(comment) is not None
        )

    def recipient(self, reply: Comment) -> Comment | None:
        """Return the parent comment whose author should hear about ``reply``, if any."""
        if reply.status is not Status.APPROVED or reply.parent_id is None:
            return None
        parent = self.store.get_comment(reply.parent_id)
        if parent is None or not parent.notify_replies or not parent.author.email:
            return None
        if parent.status is not Status.APPROVED:
            return None
        if parent.author.key == reply.author.key:
            return None
        if reply.author.email and reply.author.email.casefold() == parent.author.email.casefold():
            return None
        return parent

    def compose(self, message: OutboxMessage, comment: Comment | None) -> EmailMessage | None:
        """Write the reply email, or ``None`` if there is no longer anyone to tell."""
        if message.kind not in (EventKind.POSTED, EventKind.APPROVED) or comment is None:
            return None
        parent = self.recipient(comment)
        if parent is None or parent.author.email is None:
            return None
        # In the language the parent's author browsed in when they asked for replies.
        return self._comment_email(
            message,
            comment,
            Address(display_name=parent.author.name, addr_spec=parent.author.email),
            language=parent.context.language,
            unsubscribe=self.links.unsubscribe(parent.id),
            subject=N_('New reply to your comment on "%(title)s"'),
            intro=N_('%(name)s replied to your comment on "%(title)s":'),
            why=N_(
                "You get this email because you asked to be notified of replies to your comment."
            ),
        )
