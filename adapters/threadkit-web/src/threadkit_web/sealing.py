"""Encrypted session values: personal data (name, email, website) never sits in clear in a cookie.

A signed-cookie session (Flask's default, Django's ``signed_cookies``) is not
encrypted: anyone holding the cookie (a shared computer, a log line, a proxy) can
read it. What threadkit keeps
about a person there (an anonymous commenter's name / email / website, a
social login's identity) is sealed with Fernet (AES-128-CBC with an
HMAC-SHA256), under a key derived from the secret that signs the session.
Sealed values from the fallback secrets still open, so rotating
``SECRET_KEY`` with ``SECRET_KEY_FALLBACKS`` keeps readers logged in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["Sealer"]

_LABEL = b"threadkit.session-seal.v1"


def _fernet(secret: str | bytes) -> Fernet:
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    # A PRF of the secret under a fixed label: a key for this use only, so the
    # signing secret itself never doubles as an encryption key.
    key = hmac.new(raw, _LABEL, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class Sealer:
    """Encrypt JSON values for the session, and open them again.

    ``secret`` seals; it and every ``fallback_secrets`` open. ``open``
    returns ``None`` for anything it cannot open (tampered, from another
    secret, or an old cookie that held the value in clear), which the caller
    treats as "not remembered".
    """

    def __init__(self, secret: str | bytes, fallback_secrets: Iterable[str | bytes] = ()) -> None:
        self._fernet = MultiFernet([_fernet(secret), *(_fernet(s) for s in fallback_secrets)])

    def seal(self, value: Any) -> str:
        """Return ``value`` (JSON-serializable) encrypted, as URL-safe text."""
        data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return self._fernet.encrypt(data).decode("ascii")

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
