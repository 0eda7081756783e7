"""Thread subscriptions: one email per subscriber about each published comment, over real SMTP."""

from __future__ import annotations

import re

import pytest
from notify_servers import SmtpSink
from notify_support import BASE, SENDER, SIGNER, START, HoldMarked, text_of
from threadkit_notify import Links, ReplyEmailNotifier, SmtpMailer, ThreadEmailNotifier

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, Decision
from threadkit.memory import MemoryStore
from threadkit.models import (
    Actor,
    Comment,
    EventKind,
    Identity,
    RequestContext,
    Submission,
)
from threadkit.moderation import Pipeline
from threadkit.outbox import OutboxWorker
from threadkit.subscriptions import PENDING_WINDOW

ZOE = Identity("github", "zoe", "Zoë 🙂", "zoe@example.org", verified=True)
BOB = Identity("anonymous", "bob", "Bob", "bob@example.net")
ANNA = Identity("github", "anna", "Anna", "Anna@Example.PL", verified=True)
MOD = Actor(Identity("site", "admin", "Admin"), moderator=True)
LINK_RE = re.compile(r"https://blog\.example/comments/unsubscribe/([A-Za-z0-9_.-]+)")
CONFIRM_RE = re.compile(r"https://blog\.example/comments/subscribe/([A-Za-z0-9_.-]+)")
CONFIRM = '[Blög] Confirm your subscription to "Hello wörld"'


class World:
    """An engine with reply and thread notifiers, an outbox worker and one manual clock."""

    def __init__(self, port: int) -> None:
        self.clock = ManualClock(START)
        self.store = MemoryStore()
        self.links = Links(SIGNER, BASE, clock=self.clock)
        mailer = SmtpMailer("127.0.0.1", port, security="none", timeout=5.0)
        self.replies = ReplyEmailNotifier(mailer, self.store, self.links, sender=SENDER)
        self.thread = ThreadEmailNotifier(
            mailer, self.store, self.links, sender=SENDER, site_name="Blög", replies=self.replies
        )
        notifiers = [self.replies, self.thread]
        self.engine = CommentEngine(
            self.store, clock=self.clock, notifiers=notifiers, pipeline=Pipeline([HoldMarked()])
        )
        self.worker = OutboxWorker(self.store, notifiers, clock=self.clock)

    def post(
        self,
        author: Identity,
        body: str,
        *,
        parent: Comment | None = None,
        thread: bool = False,
        replies: bool = False,
        language: str = "",
    ) -> Comment:
        self.clock.tick()
        submission = Submission(
            body, parent.id if parent else None, notify_replies=replies, notify_thread=thread
        )
        context = RequestContext("203.0.113.5", language=language)
        return self.engine.post(
            "hello",
            submission,
            author,
            context,
            title="Hello wörld",
            url="https://blog.example/hello/",
        )

    def deliver(self) -> None:
        self.clock.tick()
        self.worker.run_once()


@pytest.fixture
def world(smtp: SmtpSink) -> World:
    return World(smtp.port)


def inbox(smtp: SmtpSink) -> list[tuple[str, str]]:
    """Who got what: (recipient, subject) of every message, in order."""
    return [(",".join(r.rcpt_tos), str(r.message["Subject"])) for r in smtp.received]


SUBJECT = '[Blög] New comment on "Hello wörld"'


def test_every_subscriber_but_the_author_gets_one_email(world: World, smtp: SmtpSink) -> None:
    """A published comment is mailed once to each other subscriber, with the comment quoted."""
    world.post(ZOE, "First", thread=True)
    world.post(ANNA, "Second", thread=True)
    world.deliver()
    assert [("zoe@example.org", SUBJECT)] == inbox(smtp)
    comment = world.post(BOB, "Third\n\nline two")
    world.deliver()
    assert [("zoe@example.org", SUBJECT)] * 2 + [("anna@example.pl", SUBJECT)] == inbox(smtp)
    (token,) = LINK_RE.findall(text_of(smtp.received[1].message))
    [zoe, _anna] = world.store.thread_subscriptions("hello")
    expected = (
        "Hello Zoë 🙂,\n\n"
        'Bob commented on "Hello wörld":\n\n'
        "> Third\n>\n> line two\n\n"
        f"Read the conversation: https://blog.example/hello/#comment-{comment.id}\n\n"
        "You get this email because you asked to be notified of new comments on this post.\n"
        f"Stop these emails: {BASE}/unsubscribe/{token}\n"
    )
    assert expected == text_of(smtp.received[1].message)
    assert {"subscription_id": zoe.id} == SIGNER.loads("unsubscribe", token, now=START)


def test_each_email_has_one_click_unsubscribe_headers(world: World, smtp: SmtpSink) -> None:
    """List-Unsubscribe names the subscriber's own link; One-Click is offered (https)."""
    world.post(ZOE, "First", thread=True)
    world.post(BOB, "Second")
    world.deliver()
    message = smtp.received[0].message
    (token,) = LINK_RE.findall(text_of(message))
    expected = (f"<{BASE}/unsubscribe/{token}>", "List-Unsubscribe=One-Click", "auto-generated")
    assert expected == (
        message["List-Unsubscribe"], message["List-Unsubscribe-Post"], message["Auto-Submitted"]
    )  # fmt: skip


def test_one_email_per_address_however_often_it_subscribed(world: World, smtp: SmtpSink) -> None:
    """Subscribing with several comments (any case of the address) still means one email."""
    world.post(ZOE, "One", thread=True)
    world.post(Identity("anonymous", "zoe-2", "Zoe", "ZOE@example.org"), "Two", thread=True)
    world.post(BOB, "Three")
    world.deliver()
    assert [("zoe@example.org", SUBJECT)] == inbox(smtp)


def test_a_subscriber_told_about_a_reply_gets_only_the_reply_email(
    world: World, smtp: SmtpSink
) -> None:
    """A reply to a subscriber who asked for reply emails makes one email, the reply one."""
    top = world.post(ZOE, "Top", thread=True, replies=True)
    world.post(ANNA, "Also here", thread=True)
    world.deliver()
    smtp.received.clear()
    world.post(BOB, "Answer", parent=top)
    world.deliver()
    expected = [
        ("zoe@example.org", 'New reply to your comment on "Hello wörld"'),
        ("anna@example.pl", SUBJECT),
    ]
    assert sorted(expected) == sorted(inbox(smtp))


def test_a_held_comment_is_mailed_when_approved(world: World, smtp: SmtpSink) -> None:
    """Nothing goes out for a held comment; approving it mails the subscribers once."""
    world.post(ZOE, "First", thread=True)
    held = world.post(BOB, "hold me please")
    world.deliver()
    assert [] == inbox(smtp)
    world.engine.moderate(held.id, Decision.APPROVE, MOD)
    world.deliver()
    assert [("zoe@example.org", SUBJECT)] == inbox(smtp)


def test_no_email_after_unsubscribing_even_if_already_queued(world: World, smtp: SmtpSink) -> None:
    """Ending a subscription before delivery stops its queued emails; others still go."""
    world.post(ZOE, "First", thread=True)
    world.post(ANNA, "Second", thread=True)
    world.post(BOB, "Third")
    [zoe, _anna] = world.store.thread_subscriptions("hello")
    world.store.remove_subscription(zoe.id)
    world.deliver()
    # Anna subscribed after Zoe's comment: she hears about Bob's only.
    assert [("anna@example.pl", SUBJECT)] == inbox(smtp)


def test_the_email_speaks_the_subscribers_language(world: World, smtp: SmtpSink) -> None:
    """A subscriber whose browser asked for Polish gets the email in Polish."""
    world.post(ANNA, "Cześć", thread=True, language="pl-PL, en;q=0.5")
    world.post(BOB, "Hi")
    world.deliver()
    text = text_of(smtp.received[0].message)
    assert "Bob skomentował(a) „Hello wörld”:" in text
    assert "Otrzymujesz tę wiadomość" in text


def test_only_published_comments_are_queued(world: World) -> None:
    """wants() takes published events of approved comments only: not held, spam or deleted."""
    held = world.post(BOB, "hold me")
    published = world.post(BOB, "fine")
    assert (False, False, True, True, False) == (
        world.thread.wants(EventKind.HELD, held),
        world.thread.wants(EventKind.POSTED, held),
        world.thread.wants(EventKind.POSTED, published),
        world.thread.wants(EventKind.APPROVED, published),
        world.thread.wants(EventKind.SPAM, published),
    )


def test_an_anonymous_address_gets_one_confirmation_and_nothing_else_until_it_confirms(
    world: World, smtp: SmtpSink
) -> None:
    """Double opt-in: the confirmation email first; comment emails only once confirmed."""
    world.post(BOB, "Subscribe me", thread=True)
    world.post(ANNA, "Hi")
    world.deliver()
    assert [("bob@example.net", CONFIRM)] == inbox(smtp)
    text = text_of(smtp.received[0].message)
    (token,) = CONFIRM_RE.findall(text)
    expected = (
        "Hello Bob,\n\n"
        'Someone, hopefully you, asked to be emailed about new comments on "Hello wörld".\n\n'
        f"Confirm the subscription: {BASE}/subscribe/{token}\n\n"
        "If it was not you, ignore this email: you will get no other.\n"
    )
    assert expected == text
    data = SIGNER.loads("subscribe", token, now=START + PENDING_WINDOW / 2)
    world.store.confirm_subscription(data["subscription_id"])
    world.post(ANNA, "Again")
    world.deliver()
    assert [("bob@example.net", CONFIRM), ("bob@example.net", SUBJECT)] == inbox(smtp)


def test_ticking_again_sends_no_second_confirmation_within_the_window(
    world: World, smtp: SmtpSink
) -> None:
    """Three ticked posts within PENDING_WINDOW: one confirmation; after it, one more."""
    for body in ("One", "Two", "Three"):
        world.post(BOB, body, thread=True)
    world.deliver()
    assert [("bob@example.net", CONFIRM)] == inbox(smtp)
    world.clock.advance(seconds=PENDING_WINDOW.total_seconds())
    world.post(BOB, "Four", thread=True)
    world.deliver()
    assert [("bob@example.net", CONFIRM)] * 2 == inbox(smtp)


def test_a_held_comment_sends_no_confirmation_and_spam_drops_its_subscription(
    world: World, smtp: SmtpSink
) -> None:
    """Held: nothing mailed; marked spam: the pending subscription is gone, still nothing."""
    held = world.post(BOB, "hold me and mail me", thread=True)
    world.deliver()
    world.engine.moderate(held.id, Decision.SPAM, MOD)
    world.deliver()
    assert ([], None) == (inbox(smtp), world.store.comment_subscription(held.id))


def test_the_confirmation_speaks_the_subscribers_language(world: World, smtp: SmtpSink) -> None:
    """Bob's browser asked for German: the confirmation email is in German."""
    world.post(BOB, "Hallo", thread=True, language="de-DE")
    world.deliver()
    message = smtp.received[0].message
    assert "Bestätige" in str(message["Subject"]) + text_of(message)
