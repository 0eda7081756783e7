"""Sealed session values are standard Fernet tokens, byte for byte what Fernet would write.

The sealer writes tokens itself (its cipher and HMAC state made once): for the
same time and IV they equal ``Fernet``'s, any Fernet of the key opens them,
and tokens Fernet wrote (older cookies) still open.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st
from threadkit_web import sealing
from threadkit_web.sealing import Sealer

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def fernet_of(secret: str) -> Fernet:
    """The plain Fernet of the key the sealer derives from ``secret``."""
    return Fernet(base64.urlsafe_b64encode(sealing._key(secret)))


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=100),
    now=st.integers(min_value=0, max_value=2**64 - 1),
    iv=st.binary(min_size=16, max_size=16),
)
def test_tokens_are_fernets_byte_for_byte(data: bytes, now: int, iv: bytes) -> None:
    """Same data, time and IV: the same token as cryptography's Fernet writes."""
    key = sealing._key("secret")
    expected = fernet_of("secret")._encrypt_from_parts(data, now, iv)
    assert expected == sealing._FernetWriter(key).encrypt(data, now, iv)


@settings(max_examples=100, deadline=None)
@given(value=json_values)
def test_sealed_values_open_with_fernet_and_back(value: Any) -> None:
    """A sealed value opens with a plain Fernet, and with the sealer itself."""
    sealer = Sealer("secret")
    token = sealer.seal(value)
    assert value == sealer.open(token)
    plain = fernet_of("secret").decrypt(token.encode("ascii"))
    assert value == sealer.open(fernet_of("secret").encrypt(plain).decode("ascii"))


def test_a_fallback_secret_still_opens_and_the_newest_seals() -> None:
    """Rotation: old tokens open with the fallback; new ones are sealed with the newest key."""
    old = Sealer("old").seal({"name": "Zoë"})
    rotated = Sealer("new", ["old"])
    assert {"name": "Zoë"} == rotated.open(old)
    fresh = rotated.seal({"name": "Zoë"})
    assert b'{"name":"Zo\xc3\xab"}' == fernet_of("new").decrypt(fresh.encode("ascii"))
    assert Sealer("old").open(fresh) is None


def test_each_token_has_a_fresh_iv(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two seals of one value differ (a new random IV each), and carry the time."""
    monkeypatch.setattr("threadkit_web.sealing.time.time", lambda: 1_790_000_000.5)
    sealer = Sealer("secret")
    first, second = sealer.seal("x"), sealer.seal("x")
    assert first != second
    assert 1_790_000_000 == fernet_of("secret").extract_timestamp(first)
