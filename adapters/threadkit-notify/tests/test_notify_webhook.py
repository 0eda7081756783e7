from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from notify_servers import WebhookSink, free_port
from threadkit_notify import (
    SIGNATURE_HEADER,
    WebhookDeliveryError,
    WebhookNotifier,
    sign_payload,
    verify_signature,
)

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, Decision
from threadkit.memory import MemoryStore
from threadkit.models import (
    Actor,
    EventKind,
    Identity,
    OutboxMessage,
    RequestContext,
    Submission,
)
from threadkit.outbox import OutboxWorker

START = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
SECRET = "whsec_test"
ZOE = Identity("anonymous", "zoe", "Zoë 🙂", "zoe@example.org")
MOD = Actor(Identity("site", "admin", "Admin"), moderator=True)


@pytest.fixture
def sink() -> Iterator[WebhookSink]:
    with WebhookSink() as server:
        yield server


class World:
    def __init__(self, url: str) -> None:
        self.clock = ManualClock(START)
        self.store = MemoryStore()
        self.hook = WebhookNotifier(url, SECRET, self.store, clock=self.clock, timeout=5.0)
        self.engine = CommentEngine(self.store, clock=self.clock, notifiers=[self.hook])
        self.worker = OutboxWorker(self.store, [self.hook], clock=self.clock)

    def post(self, body: str = "Salut ✨") -> int:
        context = RequestContext("203.0.113.5", "UA")
        comment = self.engine.post("hello", Submission(body), ZOE, context, title="Hello")
        return comment.id


def test_posts_signed_json_event(sink: WebhookSink) -> None:
    """A posted comment is POSTed as JSON with event, delivery and signature headers."""
    world = World(sink.url)
    comment_id = world.post()
    world.worker.run_once()
    (request,) = sink.requests
    document = json.loads(request.body)
    expected_headers = ("posted", "1", "application/json; charset=utf-8")
    assert expected_headers == (
        request.headers["x-threadkit-event"],
        request.headers["x-threadkit-delivery"],
        request.headers["content-type"],
    )
    expected_document = {
        "event": "posted",
        "delivery_id": 1,
        "occurred_at": "2026-05-04T12:00:00Z",
        "comment_id": comment_id,
        "thread_key": "hello",
    }
    assert expected_document == {k: document[k] for k in expected_document}
    expected_comment = (comment_id, "Zoë 🙂", "Salut ✨", "approved", "hello")
    assert expected_comment == (
        document["comment"]["id"],
        document["comment"]["author"]["name"],
        document["comment"]["body_source"],
        document["comment"]["status"],
        document["thread"]["key"],
    )


def test_signature_verifies_with_the_secret(sink: WebhookSink) -> None:
    """The receiver can check the signature header over the raw body with the shared secret."""
    world = World(sink.url)
    world.post()
    world.worker.run_once()
    (request,) = sink.requests
    header = request.headers[SIGNATURE_HEADER.lower()]
    expected = (True, False, False)
    assert expected == (
        verify_signature(SECRET, request.body, header, now=START),
        verify_signature("other", request.body, header, now=START),
        verify_signature(SECRET, request.body.replace(b"Salut", b"Hallo"), header, now=START),
    )


def test_signature_header_format(sink: WebhookSink) -> None:
    """The header is t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + body>."""
    world = World(sink.url)
    world.post()
    world.worker.run_once()
    (request,) = sink.requests
    stamp = int(START.timestamp())
    expected = sign_payload(SECRET, request.body, stamp)
    assert expected == request.headers[SIGNATURE_HEADER.lower()]


def test_old_signature_is_refused() -> None:
    """A correctly signed request older than the tolerance fails (no replays)."""
    body = b"{}"
    header = sign_payload(SECRET, body, int(START.timestamp()))
    expected = (True, False)
    assert expected == (
        verify_signature(SECRET, body, header, now=START + timedelta(seconds=300)),
        verify_signature(SECRET, body, header, now=START + timedelta(seconds=301)),
    )


@pytest.mark.parametrize("header", ["", "t=1", "v1=abc", "t=x,v1=abc", "garbage"])
def test_malformed_signature_header_is_refused(header: str) -> None:
    """Headers without both a timestamp and a signature never verify."""
    expected = False
    assert expected == verify_signature(SECRET, b"{}", header, now=START)


def test_no_private_data_in_payload(sink: WebhookSink) -> None:
    """Neither the email address nor the IP address leaves in a webhook."""
    world = World(sink.url)
    world.post()
    world.worker.run_once()
    body = sink.requests[0].body.decode("utf-8")
    expected = (False, False)
    assert expected == ("zoe@example.org" in body, "203.0.113.5" in body)


def test_spam_and_deleted_events(sink: WebhookSink) -> None:
    """Moderation events arrive as 'spam' and 'deleted'; an erased comment is null."""
    world = World(sink.url)
    first = world.post("one")
    second = world.post("two")
    world.engine.moderate(first, Decision.SPAM, MOD)
    world.engine.moderate(second, Decision.DELETE, MOD)
    world.worker.run_once()
    events = [json.loads(r.body) for r in sink.requests]
    expected = [
        ("posted", first, None),
        ("posted", second, None),
        ("spam", first, "spam"),
        ("deleted", second, None),
    ]
    assert expected == [
        (
            e["event"],
            e["comment_id"],
            e["comment"]["status"] if e["event"] == "spam" else None,
        )
        for e in events
    ]
    expected_erased = None
    assert expected_erased == events[3]["comment"]


def test_held_is_not_sent_by_default() -> None:
    """The default kinds are posted, approved, spam and deleted."""
    hook = WebhookNotifier("https://hooks.example", SECRET, MemoryStore())
    expected = [False, True, True, True, True]
    held = EventKind.HELD
    kinds = [held, EventKind.POSTED, EventKind.APPROVED, EventKind.SPAM, EventKind.DELETED]
    assert expected == [hook.wants(kind, None) for kind in kinds]  # type: ignore[arg-type]


def test_server_error_raises_and_outbox_retries(sink: WebhookSink) -> None:
    """A 500 raises from deliver; the worker retries after the backoff and then succeeds."""
    world = World(sink.url)
    world.post()
    sink.status = 500
    world.worker.run_once()
    sink.status = 204
    world.clock.advance(seconds=29)
    world.worker.run_once()
    world.clock.advance(seconds=1)
    world.worker.run_once()
    world.clock.advance(hours=1)
    world.worker.run_once()
    expected = ["1", "1"]  # the same delivery id twice: failed once, delivered once
    assert expected == [r.headers["x-threadkit-delivery"] for r in sink.requests]


def test_redirect_is_a_failure_not_followed(sink: WebhookSink) -> None:
    """A 302 is not followed (the signed POST would become an unsigned GET): it raises."""
    world = World(sink.url)
    sink.status = 302
    sink.location = "/elsewhere"
    message = OutboxMessage(1, "webhook", EventKind.POSTED, 1, "hello", START)
    with pytest.raises(WebhookDeliveryError, match="HTTP 302"):
        world.hook.deliver(message, None)
    expected = ["/hooks/threadkit"]
    assert expected == [r.path for r in sink.requests]


def test_unreachable_receiver_raises() -> None:
    """Nothing listening raises WebhookDeliveryError, naming the cause."""
    hook = WebhookNotifier(f"http://127.0.0.1:{free_port()}/", SECRET, MemoryStore())
    message = OutboxMessage(1, "webhook", EventKind.POSTED, 1, "hello", START)
    with pytest.raises(WebhookDeliveryError, match="ConnectionRefusedError"):
        hook.deliver(message, None)


def test_configuration_is_checked() -> None:
    """A non-http URL or an empty secret is refused at construction."""
    with pytest.raises(ValueError, match="http"):
        WebhookNotifier("ftp://x", SECRET, MemoryStore())
    with pytest.raises(ValueError, match="secret"):
        WebhookNotifier("https://x.example", "", MemoryStore())
