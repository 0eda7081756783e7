from __future__ import annotations

import re
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage

import attrs
import pytest
import trustme
from notify_servers import SmtpSink, free_port
from notify_support import BASE, SENDER, SIGNER, START, ZOE, HoldMarked, text_of
from threadkit_notify import Links, ModeratorEmailNotifier, ReplyEmailNotifier, SmtpMailer

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, Decision
from threadkit.errors import ValidationError
from threadkit.memory import MemoryStore
from threadkit.models import (
    Actor,
    Comment,
    Identity,
    RequestContext,
    Submission,
)
from threadkit.moderation import Pipeline
from threadkit.outbox import OutboxWorker

BOB = Identity("anonymous", "bob", "Bob", "bob@example.net", "https://bob.example")
MOD = Actor(Identity("site", "admin", "Admin"), moderator=True)
CONTEXT = RequestContext("203.0.113.5", "Mozilla/5.0", "https://blog.example/hello/")
URL_RE = re.compile(r"https://blog\.example/comments/(moderate|unsubscribe)/([A-Za-z0-9_.-]+)")


class World:
    """An engine, its store, the notifiers and an outbox worker sharing one manual clock."""

    def __init__(self, port: int, **mailer_options: object) -> None:
        self.clock = ManualClock(START)
        self.store = MemoryStore()
        self.links = Links(SIGNER, BASE, clock=self.clock)
        options: dict[str, object] = {"security": "none", "timeout": 5.0}
        options.update(mailer_options)
        self.mailer = SmtpMailer("127.0.0.1", port, **options)  # type: ignore[arg-type]
        self.moderators = ModeratorEmailNotifier(
            self.mailer,
            self.store,
            self.links,
            sender=SENDER,
            moderators=["mod@blog.example", "second@blog.example"],
            site_name="Blög",
        )
        self.replies = ReplyEmailNotifier(
            self.mailer, self.store, self.links, sender=SENDER, site_name="Blög"
        )
        notifiers = [self.moderators, self.replies]
        self.engine = CommentEngine(
            self.store,
            clock=self.clock,
            notifiers=notifiers,
            pipeline=Pipeline([HoldMarked()]),
        )
        self.worker = OutboxWorker(self.store, notifiers, clock=self.clock)

    def post(
        self, author: Identity, body: str, *, parent: Comment | None = None, notify: bool = False
    ) -> Comment:
        submission = Submission(body, parent.id if parent else None, notify_replies=notify)
        return self.engine.post(
            "hello",
            submission,
            author,
            CONTEXT,
            title="Hello wörld",
            url="https://blog.example/hello/",
        )

    def queued(self) -> list[tuple[str, str, int]]:
        far = self.clock.now() + timedelta(days=365 * 20)
        return [
            (m.channel, m.kind.value, m.comment_id)
            for m in self.store.claim_outbox(now=far, limit=1000, lease_seconds=1)
        ]


@pytest.fixture
def world(smtp: SmtpSink) -> World:
    return World(smtp.port)


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


def tokens(text: str) -> list[tuple[str, dict[str, str | int]]]:
    """Decode every signed link in ``text``, in order."""
    return [(kind, SIGNER.loads(kind, token, now=START)) for kind, token in URL_RE.findall(text)]


# ---------------------------------------------------------------- moderators


def test_held_comment_emails_moderators_with_reasons_and_links(
    world: World, smtp: SmtpSink
) -> None:
    """A held comment sends one email to every moderator: who, why, what, and two links."""
    comment = world.post(BOB, "Cheap pills? hold me")
    world.worker.run_once()
    (received,) = smtp.received
    message = received.message
    links = URL_RE.findall(text_of(message))
    approve = f"{BASE}/moderate/{links[0][1]}"
    spam = f"{BASE}/moderate/{links[1][1]}"
    expected_text = (
        'A new comment on "Hello wörld" is waiting for your approval.\n'
        f"https://blog.example/hello/#comment-{comment.id}\n"
        "\n"
        "Author: Bob\n"
        "Email: bob@example.net\n"
        "URL: https://bob.example\n"
        "IP address: 203.0.113.5\n"
        "\n"
        "Why it was held:\n"
        # The reason by its code, as a sentence (the step's own message is English only).
        "- It is the author's first comment: first comments wait for approval."
        " (first-time: first_comment)\n"
        "\n"
        "Comment:\n"
        "> Cheap pills? hold me\n"
        "\n"
        f"Approve it: {approve}\n"
        f"Mark it as spam: {spam}\n"
        "\n"
        "These links work for 7 days.\n"
    )
    assert expected_text == text_of(message)
    expected_headers = (
        "comments@blog.example",
        ["mod@blog.example", "second@blog.example"],
        '[Blög] Please moderate: "Hello wörld"',
        "mod@blog.example, second@blog.example",
        "auto-generated",
    )
    assert expected_headers == (
        received.mail_from,
        received.rcpt_tos,
        message["Subject"],
        message["To"],
        message["Auto-Submitted"],
    )


def test_moderation_links_are_signed_for_the_comment(world: World, smtp: SmtpSink) -> None:
    """The approve and spam links carry 'moderate' tokens naming the comment and action."""
    comment = world.post(BOB, "hold me")
    world.worker.run_once()
    expected = [
        ("moderate", {"comment_id": comment.id, "action": "approve"}),
        ("moderate", {"comment_id": comment.id, "action": "spam"}),
    ]
    assert expected == tokens(text_of(smtp.received[0].message))


def test_moderation_links_expire(world: World, smtp: SmtpSink) -> None:
    """A moderation link stops working after the configured time to live (7 days)."""
    world.post(BOB, "hold me")
    world.worker.run_once()
    token = URL_RE.findall(text_of(smtp.received[0].message))[0][1]
    with pytest.raises(ValidationError) as caught:
        SIGNER.loads("moderate", token, now=START + timedelta(days=7))
    expected = "expired_token"
    assert expected == caught.value.code


def test_html_part_escapes_and_shows_rendered_body(world: World, smtp: SmtpSink) -> None:
    """The HTML alternative escapes the author's name and embeds the sanitized body."""
    mallory = Identity("anonymous", "m", "<script>x</script>", "m@example.com")
    world.post(mallory, "**bold** hold me")
    world.worker.run_once()
    page = html_of(smtp.received[0].message)
    expected = (True, False, True)
    assert expected == (
        "Author: &lt;script&gt;x&lt;/script&gt;" in page,
        "<script>" in page,
        "<strong>bold</strong>" in page,
    )


def test_published_comment_does_not_email_moderators(world: World, smtp: SmtpSink) -> None:
    """By default moderators only hear about held comments, so nothing is queued for them."""
    world.post(BOB, "fine comment")
    expected: list[tuple[str, str, int]] = []
    assert expected == world.queued()


def test_comment_handled_before_delivery_is_not_mailed(world: World, smtp: SmtpSink) -> None:
    """If a moderator approved the comment before the worker ran, no stale email goes out."""
    comment = world.post(BOB, "hold me")
    world.engine.moderate(comment.id, Decision.APPROVE, MOD)
    world.worker.run_once()
    expected: tuple[list[object], list[tuple[str, str, int]]] = ([], [])
    assert expected == (smtp.received, world.queued())


# ---------------------------------------------------------------- replies


def test_reply_emails_parent_author_once(world: World, smtp: SmtpSink) -> None:
    """A published reply to an opted-in commenter sends them one email with the reply."""
    parent = world.post(ZOE, "Première ✨", notify=True)
    reply = world.post(BOB, "Merci Zoë 🙂 — *great* point", parent=parent)
    world.worker.run_once()
    world.clock.advance(hours=1)
    world.worker.run_once()
    (received,) = smtp.received
    unsubscribe = f"{BASE}/unsubscribe/{URL_RE.findall(text_of(received.message))[0][1]}"
    expected_text = (
        "Hello Zoë 🙂,\n"
        "\n"
        'Bob replied to your comment on "Hello wörld":\n'
        "\n"
        "> Merci Zoë 🙂 — *great* point\n"
        "\n"
        f"Read the conversation: https://blog.example/hello/#comment-{reply.id}\n"
        "\n"
        "You get this email because you asked to be notified of replies to your comment.\n"
        f"Stop these emails: {unsubscribe}\n"
    )
    assert expected_text == text_of(received.message)
    expected_envelope = (["zoe@example.org"], "Zoë 🙂 <zoe@example.org>")
    assert expected_envelope == (received.rcpt_tos, received.message["To"])


def test_reply_email_headers_and_encoding(world: World, smtp: SmtpSink) -> None:
    """Non-ASCII names travel RFC 2047-encoded; RFC 8058 one-click unsubscribe headers are set."""
    parent = world.post(ZOE, "Première", notify=True)
    world.post(BOB, "Merci", parent=parent)
    world.worker.run_once()
    (received,) = smtp.received
    message = received.message
    raw_headers = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 7-bit clean
    unsubscribe = message["List-Unsubscribe"]
    expected = (
        True,
        True,
        "List-Unsubscribe=One-Click",
        '[Blög] New reply to your comment on "Hello wörld"',
        "Blög Comments <comments@blog.example>",
        True,
    )
    assert expected == (
        unsubscribe.startswith(f"<{BASE}/unsubscribe/"),
        unsubscribe.endswith(">"),
        message["List-Unsubscribe-Post"],
        message["Subject"],
        message["From"],
        "=?utf-8?" in raw_headers.lower(),
    )


def test_unsubscribe_link_names_the_parent_comment(world: World, smtp: SmtpSink) -> None:
    """The unsubscribe token (body and header alike) is an 'unsubscribe' token for the parent."""
    parent = world.post(ZOE, "Première", notify=True)
    world.post(BOB, "Merci", parent=parent)
    world.worker.run_once()
    message = smtp.received[0].message
    expected = [("unsubscribe", {"comment_id": parent.id})] * 2
    assert expected == tokens(text_of(message)) + tokens(message["List-Unsubscribe"])


def test_reply_html_part_holds_the_rendered_reply(world: World, smtp: SmtpSink) -> None:
    """The HTML alternative shows the reply's sanitized HTML and the unsubscribe link."""
    parent = world.post(ZOE, "Première", notify=True)
    world.post(BOB, "*great* point", parent=parent)
    world.worker.run_once()
    page = html_of(smtp.received[0].message)
    expected = (True, True)
    assert expected == ("<em>great</em>" in page, f'href="{BASE}/unsubscribe/' in page)


@pytest.mark.parametrize(
    ("notify", "replier", "reply"),
    [(True, ZOE, "Et aussi…"), (False, BOB, "Merci")],
    ids=["replying-to-yourself", "without-opt-in"],
)
def test_no_reply_email_nobody_asked_for(
    world: World, smtp: SmtpSink, notify: bool, replier: Identity, reply: str
) -> None:
    """Nothing is queued or sent for a reply to your own comment, or without 'notify me'."""
    parent = world.post(ZOE, "Première", notify=notify)
    world.post(replier, reply, parent=parent)
    world.worker.run_once()
    expected: tuple[list[object], list[tuple[str, str, int]]] = ([], [])
    assert expected == (smtp.received, world.queued())


def test_no_email_without_address(world: World, smtp: SmtpSink) -> None:
    """Opting in without an email address cannot send anything."""
    anonymous = Identity("anonymous", "anon", "Anon")
    parent = world.post(anonymous, "Hi", notify=True)
    world.post(BOB, "Merci", parent=parent)
    world.worker.run_once()
    expected: list[object] = []
    assert expected == smtp.received


def test_held_reply_emails_only_once_approved(world: World, smtp: SmtpSink) -> None:
    """A held reply sends nothing to the parent until a moderator approves it, then one email."""
    parent = world.post(ZOE, "Première", notify=True)
    reply = world.post(BOB, "hold me", parent=parent)
    world.worker.run_once()
    expected_before = [["mod@blog.example", "second@blog.example"]]
    assert expected_before == [r.rcpt_tos for r in smtp.received]
    world.engine.moderate(reply.id, Decision.APPROVE, MOD)
    world.worker.run_once()
    expected_after = [["mod@blog.example", "second@blog.example"], ["zoe@example.org"]]
    assert expected_after == [r.rcpt_tos for r in smtp.received]


def test_unsubscribing_before_delivery_stops_the_email(world: World, smtp: SmtpSink) -> None:
    """Everything is checked again at delivery: an unsubscribe in between sends nothing."""
    parent = world.post(ZOE, "Première", notify=True)
    world.post(BOB, "Merci", parent=parent)
    current = world.store.get_comment(parent.id)
    assert current is not None
    world.store.update_comment(attrs.evolve(current, notify_replies=False), now=START)
    world.worker.run_once()
    expected: tuple[list[object], list[tuple[str, str, int]]] = ([], [])
    assert expected == (smtp.received, world.queued())


# ---------------------------------------------------------------- SMTP transport


def test_outage_then_recovery_delivers_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """SMTP down: deliver raises and the outbox retries; once it is back, one email arrives."""
    port = free_port()
    world = World(port, timeout=2.0)
    errors: list[str] = []
    retry = world.store.retry_outbox

    def recording_retry(message_id: int, *, next_attempt_at: datetime, error: str) -> None:
        errors.append(error.split(":")[0])
        retry(message_id, next_attempt_at=next_attempt_at, error=error)

    monkeypatch.setattr(world.store, "retry_outbox", recording_retry)
    parent = world.post(ZOE, "Première", notify=True)
    world.post(BOB, "Merci", parent=parent)
    world.worker.run_once()  # nobody listening: refused, queued again
    expected_errors = ["ConnectionRefusedError"]
    assert expected_errors == errors
    with SmtpSink(port) as smtp:
        world.clock.advance(seconds=29)
        world.worker.run_once()  # still backing off
        expected_none: list[list[str]] = []
        assert expected_none == [r.rcpt_tos for r in smtp.received]
        world.clock.advance(seconds=1)
        world.worker.run_once()
        world.clock.advance(hours=2)
        world.worker.run_once()
        expected_rcpts = [["zoe@example.org"]]
        assert expected_rcpts == [r.rcpt_tos for r in smtp.received]
    expected_empty: list[tuple[str, str, int]] = []
    assert expected_empty == world.queued()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls(ca: trustme.CA) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for 127.0.0.1, and a client that trusts it."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    return server_context, client_context


def tls_sink(security: str, server_context: ssl.SSLContext) -> SmtpSink:
    """An SMTP sink wanting login ``blog`` / ``pa55``, over STARTTLS or implicit TLS."""
    if security == "ssl":
        return SmtpSink(implicit_tls=server_context, credentials=("blog", "pa55"))
    return SmtpSink(tls_context=server_context, credentials=("blog", "pa55"))


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(tls: tuple[ssl.SSLContext, ssl.SSLContext], security: str) -> None:
    """The mailer logs in over TLS with the certificate checked, by STARTTLS or implicit TLS.

    ``starttls`` upgrades a plain connection; ``ssl`` speaks TLS from the first
    byte (port 465 style).
    """
    server_context, client_context = tls
    with tls_sink(security, server_context) as smtp:
        world = World(
            smtp.port,
            security=security,
            username="blog",
            password="pa55",
            ssl_context=client_context,
        )
        world.post(BOB, "hold me")
        world.worker.run_once()
        expected = (["blog"], 1)
        assert expected == (smtp.logins, len(smtp.received))


def test_wrong_password_raises_for_retry(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    """A refused login raises from deliver, so the message stays queued for a retry."""
    server_context, client_context = tls
    with tls_sink("starttls", server_context) as smtp:
        world = World(
            smtp.port,
            security="starttls",
            username="blog",
            password="wrong",
            ssl_context=client_context,
        )
        world.post(BOB, "hold me")
        world.worker.run_once()
        far = world.clock.now() + timedelta(days=1)
        (message,) = world.store.claim_outbox(now=far, limit=10, lease_seconds=1)
        expected: tuple[list[object], str] = ([], "SMTPAuthenticationError")
        assert expected == (smtp.received, message.last_error.split(":")[0])


def test_untrusted_certificate_is_refused(ca: trustme.CA) -> None:
    """With the default context an unknown certificate fails the send (no silent plain text)."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    with SmtpSink(tls_context=server_context) as smtp:
        mailer = SmtpMailer("127.0.0.1", smtp.port, timeout=5.0)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@b.example", "c@d.example", "x"
        message.set_content("x")
        with pytest.raises(ssl.SSLCertVerificationError):
            mailer.send(message)
        expected: list[object] = []
        assert expected == smtp.received


def test_mailer_defaults_and_validation() -> None:
    """Ports follow the security mode; half a login is refused."""
    expected = (587, 465, 25)
    assert expected == tuple(
        SmtpMailer("mail.example", security=mode).port for mode in ("starttls", "ssl", "none")
    )
    with pytest.raises(ValueError, match="username and password"):
        SmtpMailer("mail.example", username="only")
    with pytest.raises(ValueError, match="security"):
        SmtpMailer("mail.example", security="tls")  # type: ignore[arg-type]


def test_smtp_exceptions_are_not_swallowed() -> None:
    """Nothing listening raises ConnectionRefusedError straight from send()."""
    mailer = SmtpMailer("127.0.0.1", free_port(), security="none", timeout=2.0)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@b.example", "c@d.example", "x"
    message.set_content("x")
    with pytest.raises((ConnectionRefusedError, smtplib.SMTPConnectError)):
        mailer.send(message)
