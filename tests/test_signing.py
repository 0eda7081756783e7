from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from threadkit.errors import ValidationError
from threadkit.signing import TokenSigner

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _code(signer: TokenSigner, purpose: str, token: str, now: datetime = NOW) -> str:
    with pytest.raises(ValidationError) as caught:
        signer.loads(purpose, token, now=now)
    return caught.value.code


def test_round_trip_returns_the_data() -> None:
    """A fresh token for the same purpose gives back exactly the data signed."""
    signer = TokenSigner("s3cret")
    token = signer.dumps("moderate", {"comment_id": 42, "action": "approve"}, now=NOW, ttl=DAY)
    expected = {"comment_id": 42, "action": "approve"}
    assert expected == signer.loads("moderate", token, now=NOW)


@given(
    st.dictionaries(
        st.text(max_size=8),
        st.one_of(st.text(max_size=20), st.integers(min_value=-(2**60), max_value=2**60)),
        max_size=5,
    ),
    st.text(min_size=1, max_size=12),
)
def test_round_trip_property(data: dict[str, str | int], purpose: str) -> None:
    """loads(dumps(x)) == x for any str -> str | int mapping and any purpose."""
    signer = TokenSigner(b"\x00binary secret\xff")
    token = signer.dumps(purpose, data, now=NOW, ttl=DAY)
    assert data == signer.loads(purpose, token, now=NOW)


def test_token_is_url_safe() -> None:
    """Tokens use only characters that need no escaping in a URL path or query."""
    signer = TokenSigner("s3cret")
    token = signer.dumps("unsubscribe", {"comment_id": 1, "n": "Zoë 🙂 /?&="}, now=NOW, ttl=DAY)
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert set() == set(token) - allowed


def test_wrong_purpose_is_invalid() -> None:
    """A moderation token cannot be used as an unsubscribe token (or the reverse)."""
    signer = TokenSigner("s3cret")
    token = signer.dumps("moderate", {"comment_id": 1}, now=NOW, ttl=DAY)
    expected = "invalid_token"
    assert expected == _code(signer, "unsubscribe", token)


def test_other_secret_is_invalid() -> None:
    """A token signed with another secret is refused."""
    token = TokenSigner("one").dumps("moderate", {"comment_id": 1}, now=NOW, ttl=DAY)
    expected = "invalid_token"
    assert expected == _code(TokenSigner("two"), "moderate", token)


def test_tampered_payload_is_invalid() -> None:
    """Changing the data inside a token (even re-encoded cleanly) breaks the signature."""
    signer = TokenSigner("s3cret")
    token = signer.dumps("moderate", {"comment_id": 1, "action": "approve"}, now=NOW, ttl=DAY)
    payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["d"]["comment_id"] = 2
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    expected = "invalid_token"
    assert expected == _code(signer, "moderate", forged + "." + signature)


def test_tampered_signature_is_invalid() -> None:
    """Flipping a character of the signature is refused."""
    signer = TokenSigner("s3cret")
    token = signer.dumps("moderate", {"comment_id": 1}, now=NOW, ttl=DAY)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    expected = "invalid_token"
    assert expected == _code(signer, "moderate", flipped)


@pytest.mark.parametrize(
    "garbage", ["", ".", "abc", "abc.", ".abc", "a.b.c", "é.é", "!!!.???", "x" * 500]
)
def test_garbage_is_invalid(garbage: str) -> None:
    """Anything that is not a token raises invalid_token, never another exception."""
    expected = "invalid_token"
    assert expected == _code(TokenSigner("s3cret"), "moderate", garbage)


def test_expired_token() -> None:
    """A token is refused with expired_token once its time to live has passed."""
    signer = TokenSigner("s3cret")
    token = signer.dumps("moderate", {"comment_id": 1}, now=NOW, ttl=DAY)
    expected = {"comment_id": 1}
    assert expected == signer.loads("moderate", token, now=NOW + DAY - timedelta(seconds=1))
    expected = "expired_token"
    assert expected == _code(signer, "moderate", token, NOW + DAY)


def test_expired_but_tampered_is_invalid_not_expired() -> None:
    """The signature is checked before the expiry, so forgeries never learn more."""
    signer = TokenSigner("s3cret")
    token = signer.dumps("moderate", {"comment_id": 1}, now=NOW, ttl=DAY)
    expected = "invalid_token"
    assert expected == _code(signer, "unsubscribe", token, NOW + 2 * DAY)


def test_fallback_secret_accepts_old_tokens() -> None:
    """After rotating the secret, tokens signed with the old one still load."""
    old = TokenSigner("old").dumps("unsubscribe", {"comment_id": 3}, now=NOW, ttl=DAY)
    rotated = TokenSigner("new", fallback_secrets=["old"])
    expected = {"comment_id": 3}
    assert expected == rotated.loads("unsubscribe", old, now=NOW)


def test_naive_datetime_is_refused() -> None:
    """A naive 'now' is a bug and raises instead of guessing a timezone."""
    signer = TokenSigner("s3cret")
    with pytest.raises(ValueError, match="naive"):
        signer.dumps("moderate", {}, now=datetime(2026, 1, 1), ttl=DAY)


@pytest.mark.parametrize("value", [True, 1.5, None, ["a"]])
def test_data_values_must_be_str_or_int(value: object) -> None:
    """Values that would not round-trip as str | int are refused when signing."""
    with pytest.raises(TypeError):
        TokenSigner("s3cret").dumps("moderate", {"x": value}, now=NOW, ttl=DAY)  # type: ignore[dict-item]


def test_empty_secret_is_refused() -> None:
    """An empty secret would sign nothing; refuse it at construction."""
    with pytest.raises(ValueError, match="secret"):
        TokenSigner("")
