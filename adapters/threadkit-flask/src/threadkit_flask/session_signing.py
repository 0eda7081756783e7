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
* a session of plain strings is dumped and loaded without walking Flask's
  JSON tags (no tag applies to a ``str``; the JSON is written and read by
  the same ``flask.json`` calls);
* a cookie is signed and read in one call each, without itsdangerous's
  layers (one signer per read, the signing time turned into a ``datetime``
  that the session never looks at); anything but a good, fresh cookie is
  handed to itsdangerous, which raises exactly what it always raised.

Only Flask's own choices take this path (HMAC key derivation, SHA-1, the
stock tagged JSON serializer with its default tags); anything else gets
Flask's serializer unchanged.
"""

from __future__ import annotations

import hmac
import json as stdlib_json
import zlib
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Iterable
from typing import Any, cast

from flask import json
from flask.json.provider import DefaultJSONProvider
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode, int_to_bytes, want_bytes
from itsdangerous.url_safe import URLSafeSerializerMixin

from ._contexts import context_app

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

    _stamp: tuple[int, bytes] = (-1, b"")

    def sign(self, value: str | bytes) -> bytes:
        """Return ``value``, the signing time and the signature, as itsdangerous signs them."""
        now = self.get_timestamp()
        stamp = self._stamp
        if stamp[0] != now:  # the time's encoding, made once a second (one tuple: thread-safe)
            stamp = self._stamp = (now, b"." + base64_encode(int_to_bytes(now)))
        value = want_bytes(value) + stamp[1]
        return value + b"." + urlsafe_b64encode(self._mac(0, value)).rstrip(b"=")

    def fresh_payload(self, signed: bytes, max_age: int | None) -> bytes | None:
        """Return the payload of a well-signed cookie no older than ``max_age`` seconds.

        ``None`` for anything else (a bad signature, a malformed or future
        timestamp, an expired cookie, a signature not in the canonical base64
        that signing writes): :meth:`unsign` then says which, or accepts it.
        """
        value, dot, signature = signed.rpartition(b".")
        if not dot:
            return None
        for keyed in self._keyed:
            mac = keyed.copy()
            mac.update(value)
            # Compared encoded: the signature as signing writes it, in constant time.
            if hmac.compare_digest(base64_encode(mac.digest()), signature):
                break
        else:
            return None
        payload, dot, stamp = value.rpartition(b".")
        if not dot:
            return None
        try:
            signed_at = int.from_bytes(urlsafe_b64decode(stamp + b"=" * (-len(stamp) % 4)), "big")
        except ValueError:  # not base64: itsdangerous's "malformed timestamp"
            return None
        if max_age is not None and not 0 <= self.get_timestamp() - signed_at <= max_age:
            return None
        return payload


class _PlainFirst:
    """Flask's tagged JSON serializer, skipping the tag walk for a dict of plain strings."""

    def __init__(self, tagged: TaggedJSONSerializer) -> None:
        self._tagged = tagged
        # The tag objects last seen to be the default tags: while ``order`` holds
        # these same objects, its types need no second look.
        self._checked: list[Any] = []

    def dumps(self, value: Any) -> str:
        """Dump ``value`` exactly as the tagged serializer would."""
        if self._untagged(value):
            return _plain_json(value)
        return self._tagged.dumps(value)

    def loads(self, value: str) -> Any:
        """Load ``value`` exactly as the tagged serializer would."""
        loaded = _loads(value)
        if self._untagged(loaded):
            return loaded  # the tag walk would give back an equal dict
        return self._tagged.loads(value)

    def _untagged(self, value: Any) -> bool:
        """Whether ``value`` is a dict of strings that Flask's default tags leave as it is."""
        if type(value) is not dict:
            return False
        for key, item in value.items():  # a loop, not generators: this runs twice per request
            if type(key) is not str or type(item) is not str:
                return False
        tagged = self._tagged
        # A one-key dict whose key is a tag's is tagged ("di") to keep it apart.
        if len(value) == 1 and next(iter(value)) in tagged.tags:
            return False
        order = tagged.order
        if order == self._checked:  # the same tag objects (tags have no __eq__: identity)
            return True
        if tuple(map(type, order)) != _DEFAULT_TAGS:
            return False
        self._checked = list(order)
        return True


_ENCODERS: dict[tuple[bool, bool], stdlib_json.JSONEncoder] = {}


def _plain_json(value: dict[str, str]) -> str:
    """Return ``flask.json.dumps(value, separators=(",", ":"))`` for a dict of strings.

    With the app's stock JSON provider that is the standard library's encoder
    with the provider's ``ensure_ascii`` and ``sort_keys`` (its ``default`` is
    never called for strings): one made per choice, not one per call.
    """
    app = context_app()
    provider = None if app is None else app.json
    if type(provider) is not DefaultJSONProvider:
        return json.dumps(value, separators=(",", ":"))  # another provider, or no app
    choice = (bool(provider.ensure_ascii), bool(provider.sort_keys))
    encoder = _ENCODERS.get(choice)
    if encoder is None:
        encoder = _ENCODERS[choice] = stdlib_json.JSONEncoder(
            ensure_ascii=choice[0], sort_keys=choice[1], separators=(",", ":")
        )
    return encoder.encode(value)


def _loads(value: str) -> Any:
    """Return ``flask.json.loads(value)``: the stdlib's with the stock provider or none."""
    app = context_app()
    if app is not None and type(app.json) is not DefaultJSONProvider:
        return json.loads(value)  # another provider: asked, as Flask asks it
    return stdlib_json.loads(value)  # what the stock provider and Flask without an app call


class _SessionSerializer(URLSafeTimedSerializer):
    """The URL-safe timed serializer with one signer, made when the serializer is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signer = cast(_SessionSigner, super().make_signer(self.salt))

    def dumps(self, obj: Any, salt: str | bytes | None = None) -> str:
        """Return the signed cookie of ``obj``, as itsdangerous makes it."""
        if salt is not None:
            return super().dumps(obj, salt)
        return self._signer.sign(self.dump_payload(obj)).decode("utf-8")

    def loads(  # type: ignore[override]  # itsdangerous's own signature
        self,
        s: str | bytes,
        max_age: int | None = None,
        return_timestamp: bool = False,
        salt: str | bytes | None = None,
    ) -> Any:
        """Return what a good, fresh cookie holds; anything else raises as itsdangerous does."""
        if salt is None and not return_timestamp:
            payload = self._signer.fresh_payload(want_bytes(s), max_age)
            if payload is not None:
                return self._load_plain(payload)
        # Bad, old or asked for more: itsdangerous's path, with its exact exceptions.
        return super().loads(s, max_age=max_age, return_timestamp=return_timestamp, salt=salt)

    def dump_payload(self, obj: Any) -> bytes:
        """Return the payload as itsdangerous does, compressing only one of ``COMPRESS_FROM`` bytes.

        Below that a session cookie stays far under a browser's 4 KB, and
        compressing it would save a few bytes for the price of a deflate stream.
        """
        if self.serializer_kwargs:
            # The JSON without the URL-safe mixin's compression (the class after it in the MRO).
            data = super(URLSafeSerializerMixin, self).dump_payload(obj)
        else:  # what that does without arguments: the serializer's text as UTF-8
            data = want_bytes(self.serializer.dumps(obj))
        if len(data) >= COMPRESS_FROM:
            compressed = zlib.compress(data)
            if len(compressed) < len(data) - 1:  # as itsdangerous decides
                return b"." + base64_encode(compressed)
        return urlsafe_b64encode(data).rstrip(b"=")

    def _load_plain(self, payload: bytes) -> Any:
        """Return what an uncompressed payload holds; anything else as :meth:`load_payload` does."""
        if not payload.startswith(b"."):
            try:
                text = urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)).decode("utf-8")
                return self.serializer.loads(text)
            except Exception:  # load_payload below raises itsdangerous's error
                pass
        return self.load_payload(payload)

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
