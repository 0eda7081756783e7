"""Signed, expiring, URL-safe tokens for links in emails (standard library only).

One-click moderation links ("approve" / "spam" from the notification email) and
unsubscribe links carry a token that says *what* may be done (the ``purpose``),
to *which* comment (the ``data``) and *until when*. Nobody without the secret
can make or alter one.

>>> from datetime import UTC, datetime, timedelta
>>> signer = TokenSigner("a long random secret")
>>> now = datetime(2026, 1, 1, tzinfo=UTC)
>>> token = signer.dumps("moderate", {"comment_id": 7, "action": "approve"},
...                      now=now, ttl=timedelta(days=3))
>>> signer.loads("moderate", token, now=now + timedelta(days=1))
{'action': 'approve', 'comment_id': 7}
>>> signer.loads("unsubscribe", token, now=now)
Traceback (most recent call last):
    ...
threadkit.errors.ValidationError: This link is not valid.

Format: ``<payload>.<signature>``, both unpadded URL-safe base64. The payload
is compact JSON ``{"d": data, "e": expiry (Unix seconds), "p": purpose}``;
the signature is HMAC-SHA256 over the purpose and the encoded payload with a
key derived from the secret, compared in constant time. Tokens are signed,
not encrypted: do not put secrets in ``data``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from threadkit.errors import ValidationError
from threadkit.models import utc

__all__ = ["TokenSigner"]

_KEY_LABEL = b"threadkit.signing.TokenSigner/v1"


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text or not text.isascii():
        raise ValueError("empty or non-ASCII segment")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(secret: str | bytes) -> bytes:
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if not raw:
        raise ValueError("TokenSigner needs a non-empty secret")
    return hmac.new(raw, _KEY_LABEL, hashlib.sha256).digest()


def _invalid() -> ValidationError:
    return ValidationError("invalid_token", "This link is not valid.")


class TokenSigner:
    """Make and check signed tokens that expire.

    ``secret`` signs new tokens; ``fallback_secrets`` are also accepted when
    checking, so a secret can be rotated without breaking links already sent.
    :meth:`loads` raises :class:`~threadkit.errors.ValidationError` with code
    ``"invalid_token"`` (tampered, another purpose, another secret, garbage)
    or ``"expired_token"``.
    """

    def __init__(self, secret: str | bytes, *, fallback_secrets: Iterable[str | bytes] = ()):
        self._key = _derive(secret)
        self._check_keys = (self._key, *(_derive(s) for s in fallback_secrets))

    def _signature(self, key: bytes, purpose: str, payload: str) -> bytes:
        message = purpose.encode("utf-8") + b"\x00" + payload.encode("ascii")
        return hmac.new(key, message, hashlib.sha256).digest()

    def dumps(
        self,
        purpose: str,
        data: Mapping[str, str | int],
        *,
        now: datetime,
        ttl: timedelta,
    ) -> str:
        """Return a token for ``purpose`` carrying ``data``, valid for ``ttl`` from ``now``.

        ``data`` maps strings to strings or integers (not booleans), so what
        :meth:`loads` returns equals what went in.
        """
        for name, value in data.items():
            if not isinstance(name, str) or isinstance(value, bool):
                raise TypeError(f"token data must map str to str | int, got {name!r}: {value!r}")
            if not isinstance(value, str | int):
                raise TypeError(f"token data must map str to str | int, got {name!r}: {value!r}")
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        expires = int((utc(now) + ttl).timestamp())
        body = {"d": dict(data), "e": expires, "p": purpose}
        payload = _b64encode(
            json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode(
                "utf-8"
            )
        )
        return payload + "." + _b64encode(self._signature(self._key, purpose, payload))

    def loads(self, purpose: str, token: str, *, now: datetime) -> dict[str, str | int]:
        """Check ``token`` for ``purpose`` at ``now`` and return its data."""
        moment = utc(now)
        payload, dot, signature = token.partition(".")
        if not dot or not payload.isascii():
            raise _invalid()
        try:
            given = _b64decode(signature)
        except (ValueError, binascii.Error):
            raise _invalid() from None
        if not any(
            hmac.compare_digest(given, self._signature(key, purpose, payload))
            for key in self._check_keys
        ):
            raise _invalid()
        try:
            body = json.loads(_b64decode(payload).decode("utf-8"))
        except (ValueError, binascii.Error):  # signed by us, so only a bug gets here
            raise _invalid() from None
        if not isinstance(body, dict) or body.get("p") != purpose:
            raise _invalid()
        expires, data = body.get("e"), body.get("d")
        if not isinstance(expires, int) or not isinstance(data, dict):
            raise _invalid()
        if moment.timestamp() >= expires:
            raise ValidationError("expired_token", "This link has expired.")
        result: dict[str, str | int] = {}
        for name, value in data.items():
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise _invalid()
            result[str(name)] = value
        return result
