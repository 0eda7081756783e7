"""Signed JSON webhooks: POST each event to a URL of your choice."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from threadkit import __version__
from threadkit.clock import SystemClock
from threadkit.models import Comment, EventKind, OutboxMessage
from threadkit.ports import Clock, ThreadLookup
from threadkit.serialization import to_public

__all__ = [
    "SIGNATURE_HEADER",
    "WebhookDeliveryError",
    "WebhookNotifier",
    "sign_payload",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Threadkit-Signature"
"""Header carrying ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``."""


class WebhookDeliveryError(Exception):
    """The receiver did not answer 2xx (or could not be reached); the outbox retries."""


def sign_payload(secret: str | bytes, body: bytes, timestamp: int) -> str:
    """Return the :data:`SIGNATURE_HEADER` value for ``body`` sent at ``timestamp``."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    digest = hmac.new(key, f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: str | bytes,
    body: bytes,
    header: str,
    *,
    now: datetime,
    tolerance_seconds: float = 300.0,
) -> bool:
    """Check a webhook's signature header on the receiving side.

    True when one ``v1`` signature matches ``body`` (the raw request bytes,
    before any JSON parsing) and ``t`` lies within ``tolerance_seconds`` of
    ``now``, which stops an old request from being replayed.

    >>> body, now = b'{"event":"posted"}', datetime(2026, 1, 1, tzinfo=UTC)
    >>> header = sign_payload("whsec", body, int(now.timestamp()))
    >>> verify_signature("whsec", body, header, now=now)
    True
    >>> verify_signature("whsec", body + b" ", header, now=now)
    False
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        return False
    expected = sign_payload(secret, body, timestamp).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an HTTP error: the POST is not silently turned into a GET


class WebhookNotifier:
    """POST a signed JSON document to ``url`` for each comment event.

    Events default to ``posted``, ``approved``, ``spam`` and ``deleted``
    (``kinds`` changes that; ``held`` is available too). The body is::

        {"event": "posted", "delivery_id": 12, "occurred_at": "...Z",
         "comment_id": 7, "thread_key": "post-1",
         "comment": {...public comment shape, or null if erased...},
         "thread": {...public thread shape, or null...}}

    Only public shapes are sent: never an email address or an IP address.
    Headers: ``X-Threadkit-Event`` (the event), ``X-Threadkit-Delivery``
    (stable across retries: deduplicate on it, delivery is at-least-once)
    and :data:`SIGNATURE_HEADER` (check it with :func:`verify_signature`).
    Any answer but 2xx, a redirect, or a network error raises, so the outbox
    retries with backoff.
    """

    channel = "webhook"

    def __init__(
        self,
        url: str,
        secret: str | bytes,
        store: ThreadLookup,
        *,
        kinds: Collection[EventKind] = frozenset(
            {EventKind.POSTED, EventKind.APPROVED, EventKind.SPAM, EventKind.DELETED}
        ),
        channel: str | None = None,
        timeout: float = 10.0,
        clock: Clock | None = None,
    ) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"webhook url must be an http(s) URL, got {url!r}")
        if not secret:
            raise ValueError("a webhook needs a secret to sign with")
        self.url = url
        self.secret = secret
        self.store = store
        self.kinds = frozenset(kinds)
        if channel is not None:
            self.channel = channel
        self.timeout = timeout
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._opener = urllib.request.build_opener(_NoRedirects)

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        """Queue the configured kinds of event."""
        return kind in self.kinds

    def payload(self, message: OutboxMessage, comment: Comment | None) -> bytes:
        """Return the JSON body sent for ``message``."""
        thread = self.store.get_thread(message.thread_key)
        document = {
            "event": message.kind.value,
            "delivery_id": message.id,
            "occurred_at": message.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "comment_id": message.comment_id,
            "thread_key": message.thread_key,
            "comment": None if comment is None else to_public(comment),
            "thread": None if thread is None else to_public(thread),
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
        """POST the signed event; raise :class:`WebhookDeliveryError` unless answered 2xx."""
        body = self.payload(message, comment)
        timestamp = int(self.clock.now().timestamp())
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": f"threadkit-notify/{__version__}",
                "X-Threadkit-Event": message.kind.value,
                "X-Threadkit-Delivery": str(message.id),
                SIGNATURE_HEADER: sign_payload(self.secret, body, timestamp),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read(1024)
        except urllib.error.HTTPError as err:
            with err:
                raise WebhookDeliveryError(f"webhook answered HTTP {err.code}") from None
        except (OSError, http.client.HTTPException) as err:
            reason = getattr(err, "reason", None) or err
            raise WebhookDeliveryError(
                f"webhook failed: {type(reason).__name__}: {reason}"
            ) from err
        if not 200 <= status < 300:
            raise WebhookDeliveryError(f"webhook answered HTTP {status}")
