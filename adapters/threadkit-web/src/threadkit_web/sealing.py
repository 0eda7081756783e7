"""Encrypted session values: personal data (name, email, website) never sits in clear in a cookie.

A signed-cookie session (Flask's default, Django's ``signed_cookies``) is not
encrypted: anyone holding the cookie (a shared computer, a log line, a proxy) can
read it. What threadkit keeps
about a person there (an anonymous commenter's name / email / website, a
social login's identity) is sealed with Fernet (AES-128-CBC with an
HMAC-SHA256), under a key derived from the secret that signs the session.
Sealed values from the fallback secrets still open, so rotating
``SECRET_KEY`` with ``SECRET_KEY_FALLBACKS`` keeps readers logged in.

Sealing writes a standard Fernet token (any Fernet opens it, and this opens
any Fernet token of its keys) with the key's cipher and keyed HMAC state
made once, not once per token: the same bytes as ``Fernet.encrypt`` for the
same time and IV, for some half the work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["Sealer"]

_LABEL = b"threadkit.session-seal.v1"


# ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``'s encoder, made once.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _key(secret: str | bytes) -> bytes:
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    # A PRF of the secret under a fixed label: a key for this use only, so the
    # signing secret itself never doubles as an encryption key.
    return hmac.new(raw, _LABEL, hashlib.sha256).digest()


class _FernetWriter:
    """Fernet's ``encrypt`` for one key, its AES key and HMAC state prepared once.

    A token is version ``0x80``, the time (8 bytes, big-endian), the IV,
    the AES-128-CBC ciphertext of the PKCS7-padded data, and an HMAC-SHA256
    of all that under the key's first half; URL-safe base64 of the whole.
    """

    __slots__ = ("_aes", "_mac")

    def __init__(self, key: bytes) -> None:
        self._mac = hmac.new(key[:16], digestmod=hashlib.sha256)
        self._aes = algorithms.AES(key[16:])

    def encrypt(self, data: bytes, now: int, iv: bytes) -> bytes:
        """Return the Fernet token of ``data`` made at ``now`` with ``iv``."""
        fill = 16 - len(data) % 16
        encryptor = Cipher(self._aes, modes.CBC(iv)).encryptor()
        ciphertext = encryptor.update(data + bytes((fill,)) * fill) + encryptor.finalize()
        token = b"\x80" + now.to_bytes(8, "big") + iv + ciphertext
        mac = self._mac.copy()
        mac.update(token)
        return base64.urlsafe_b64encode(token + mac.digest())


class Sealer:
    """Encrypt JSON values for the session, and open them again.

    ``secret`` seals; it and every ``fallback_secrets`` open. ``open``
    returns ``None`` for anything it cannot open (tampered, from another
    secret, or an old cookie that held the value in clear), which the caller
    treats as "not remembered".
    """

    def __init__(self, secret: str | bytes, fallback_secrets: Iterable[str | bytes] = ()) -> None:
        keys = [_key(secret), *(_key(s) for s in fallback_secrets)]
        self._fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in keys])
        self._writer = _FernetWriter(keys[0])

    def seal(self, value: Any) -> str:
        """Return ``value`` (JSON-serializable) encrypted, as URL-safe text."""
        data = _COMPACT_JSON.encode(value).encode("utf-8")
        return self._writer.encrypt(data, int(time.time()), os.urandom(16)).decode("ascii")

    def open(self, sealed: object) -> Any:
        """Return the value sealed in ``sealed``, or ``None`` if it cannot be opened."""
        if not isinstance(sealed, str) or not sealed:
            return None
        try:
            data = self._fernet.decrypt(sealed.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None
