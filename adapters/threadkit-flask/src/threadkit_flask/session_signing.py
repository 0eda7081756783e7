"""The session cookie's signing serializer, built once per set of keys: Flask's cookie, cheaper.

Flask's :class:`~flask.sessions.SecureCookieSessionInterface` builds an
``itsdangerous`` serializer for every read and every write of the cookie, and
that serializer builds a new signer for each, which derives its key again
(an HMAC of the salt) and signs through :mod:`hmac`'s pure-Python path
(Flask's SHA-1 is a function, not a name OpenSSL knows). It also deflates
every cookie, however small. The serializer here reads every cookie Flask
makes, and Flask reads every cookie it makes; they are Flask's own, byte for
byte, from :data:`COMPRESS_FROM` bytes of JSON up:

* a shorter session is not compressed (itsdangerous's format without the
  ``.`` mark): threadkit's few keys would shrink by some 30 bytes, for a
  deflate stream set up and torn down on every request that writes the cookie;
* the signer, its derived keys and their keyed HMAC-SHA1 states are made
  once; each signature copies a state (OpenSSL's HMAC-SHA1: the same bytes);
* a session of plain strings is dumped without walking Flask's JSON tags
  (no tag applies to a ``str``; the JSON is written by the same
  ``flask.json.dumps`` call).

Only Flask's own choices take this path (HMAC key derivation, SHA-1, the
stock tagged JSON serializer with its default tags); anything else gets
Flask's serializer unchanged.
"""

from __future__ import annotations

import hmac
import zlib
from collections.abc import Iterable
from typing import Any

from flask import json
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode, want_bytes
from itsdangerous.url_safe import URLSafeSerializerMixin

__all__ = ["COMPRESS_FROM", "fast_serializer"]

COMPRESS_FROM = 1024
"""Session JSON of this many bytes or more is compressed (as Flask does); shorter is not."""

_FLASK_SHA1 = SecureCookieSessionInterface.digest_method
_DEFAULT_TAGS = tuple(type(tag) for tag in TaggedJSONSerializer().order)


class _SessionSigner(TimestampSigner):
    """itsdangerous's timestamp signer with HMAC-SHA1 keys derived once (same signatures)."""

    def __init__(
        self, secret_key: str | bytes | Iterable[str] | Iterable[bytes], **kwargs: Any
    ) -> None:
        super().__init__(secret_key, **kwargs)
        # Key derivation "hmac": HMAC(secret, salt); newest key first, as verify tries them.
        self._derived = [
            hmac.new(key, self.salt, "sha1").digest() for key in reversed(self.secret_keys)
        ]
        # Keyed HMAC states, copied per message: cheaper than keying (and, with OpenSSL 3,
        # looking the digest up by name) for every cookie.
        self._keyed = [hmac.new(key, digestmod="sha1") for key in self._derived]

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        """Return the derived key of ``secret_key`` (default: the newest), from the cache."""
        if secret_key is None:
            return self._derived[0]
        wanted = want_bytes(secret_key)
        for key, derived in zip(reversed(self.secret_keys), self._derived, strict=True):
            if key == wanted:
                return derived
        return super().derive_key(wanted)

    def get_signature(self, value: str | bytes) -> bytes:
        """Return the signature of ``value`` under the newest key."""
        return base64_encode(self._mac(0, want_bytes(value)))

    def verify_signature(self, value: str | bytes, sig: str | bytes) -> bool:
        """Return whether ``sig`` signs ``value`` under any of the keys."""
        try:
            given = base64_decode(sig)
        except Exception:  # as itsdangerous does: any bad base64 is a bad signature
            return False
        data = want_bytes(value)
        return any(
            hmac.compare_digest(self._mac(index, data), given) for index in range(len(self._keyed))
        )

    def _mac(self, index: int, data: bytes) -> bytes:
        mac = self._keyed[index].copy()
        mac.update(data)
        return mac.digest()


class _PlainFirst:
    """Flask's tagged JSON serializer, skipping the tag walk for a dict of plain strings."""

    def __init__(self, tagged: TaggedJSONSerializer) -> None:
        self._tagged = tagged

    def dumps(self, value: Any) -> str:
        """Dump ``value`` exactly as the tagged serializer would."""
        tagged = self._tagged
        if (
            type(value) is dict
            and all(type(item) is str for item in value.values())
            and all(type(key) is str for key in value)
            # A one-key dict whose key is a tag's would be tagged ("di") to keep it apart.
            and not (len(value) == 1 and next(iter(value)) in tagged.tags)
            and tuple(type(tag) for tag in tagged.order) == _DEFAULT_TAGS
        ):
            return json.dumps(value, separators=(",", ":"))
        return tagged.dumps(value)

    def loads(self, value: str) -> Any:
        """Load ``value`` with the tagged serializer."""
        return self._tagged.loads(value)


class _SessionSerializer(URLSafeTimedSerializer):
    """The URL-safe timed serializer with one signer, made when the serializer is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signer = super().make_signer(self.salt)

    def dump_payload(self, obj: Any) -> bytes:
        """Return the payload as itsdangerous does, compressing only one of ``COMPRESS_FROM`` bytes.

        Below that a session cookie stays far under a browser's 4 KB, and
        compressing it would save a few bytes for the price of a deflate stream.
        """
        # The JSON without the URL-safe mixin's compression (the class after it in the MRO).
        data = super(URLSafeSerializerMixin, self).dump_payload(obj)
        if len(data) >= COMPRESS_FROM:
            compressed = zlib.compress(data)
            if len(compressed) < len(data) - 1:  # as itsdangerous decides
                return b"." + base64_encode(compressed)
        return base64_encode(data)

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        """Return the signer made once for the serializer's salt (a new one for another)."""
        if salt is None or want_bytes(salt) == self.salt:
            return self._signer
        return super().make_signer(salt)


def fast_serializer(
    interface: SecureCookieSessionInterface, keys: list[str | bytes]
) -> URLSafeTimedSerializer | None:
    """Return a serializer making Flask's exact cookies for ``keys`` (oldest first), or ``None``.

    ``None`` when ``interface`` chose anything but Flask's signing and
    payload format: then Flask's own serializer is the one to use.
    """
    if interface.key_derivation != "hmac" or interface.digest_method is not _FLASK_SHA1:
        return None
    if type(interface.serializer) is not TaggedJSONSerializer:
        return None
    return _SessionSerializer(
        keys,
        salt=interface.salt,
        serializer=_PlainFirst(interface.serializer),
        signer=_SessionSigner,
        signer_kwargs={"key_derivation": "hmac", "digest_method": interface.digest_method},
    )
