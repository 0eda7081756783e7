"""threadkit.limits: one comment limit every layer derives from, and a request cap above it."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadkit import Identity, Submission, text
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.errors import ValidationError
from threadkit.identity import AnonymousProvider
from threadkit.limits import (
    COMMENT_MAX_BYTES,
    EMAIL_MAX_CHARS,
    NAME_MAX_CHARS,
    REQUEST_MAX_BYTES,
    URL_MAX_CHARS,
    request_cap,
    utf8_size,
)
from threadkit.memory import MemoryStore
from threadkit.moderation import SizeLimits

ADA = Identity("anonymous", "b", "Ada")


def test_every_layer_defaults_to_the_one_comment_limit() -> None:
    """The engine, SizeLimits and the field cleaners take their defaults from threadkit.limits."""
    provider = AnonymousProvider()
    assert (COMMENT_MAX_BYTES,) * 2 == (EnginePolicy().max_body_bytes, SizeLimits().body_bytes)
    assert (NAME_MAX_CHARS, EMAIL_MAX_CHARS, URL_MAX_CHARS) == (
        provider.max_name_chars,
        text.MAX_EMAIL_CHARS,
        text.MAX_URL_CHARS,
    )
    assert (NAME_MAX_CHARS, URL_MAX_CHARS) == (SizeLimits().name_chars, SizeLimits().url_chars)


def test_engine_takes_a_body_at_the_limit_and_refuses_one_byte_more() -> None:
    """A body of exactly COMMENT_MAX_BYTES is stored; one byte more is 422 body_too_large."""
    engine = CommentEngine(MemoryStore())
    body = "é" * (COMMENT_MAX_BYTES // 2) + "x" * (COMMENT_MAX_BYTES % 2)
    assert COMMENT_MAX_BYTES == utf8_size(engine.post("t", Submission(body), ADA).body_source)
    with pytest.raises(ValidationError) as caught:
        engine.post("t", Submission(body + "x"), ADA)
    assert ("body_too_large", "body", 422) == (
        caught.value.code,
        caught.value.field,
        caught.value.http_status,
    )


def test_request_cap_is_derived_not_copied() -> None:
    """The default cap is request_cap(COMMENT_MAX_BYTES); it grows six bytes per comment byte."""
    assert REQUEST_MAX_BYTES == request_cap(COMMENT_MAX_BYTES)
    assert 6 == request_cap(COMMENT_MAX_BYTES + 1) - REQUEST_MAX_BYTES
    with pytest.raises(ValueError, match="0 or more"):
        request_cap(-1)


# Text that escapes badly: controls (\\u0001 in JSON), quotes, non-ASCII of 2 to 4 bytes.
_NASTY = st.text(
    alphabet=st.sampled_from(["\x01", '"', "\\", "é", "€", "🙂", "%", "+", "&", "a", "\n"]),
    max_size=300,
)


@settings(max_examples=60, deadline=None)
@given(unit=_NASTY, name=st.text(max_size=NAME_MAX_CHARS), email=st.text(max_size=60))
def test_any_comment_within_the_limit_fits_the_cap_as_json_or_form(
    unit: str, name: str, email: str
) -> None:
    """A comment grown to the limit, with any fields, is within the cap in both envelopes."""
    if not unit:
        unit = "a"
    repeats = COMMENT_MAX_BYTES // max(1, utf8_size(unit))
    body = unit * repeats
    assert utf8_size(body) <= COMMENT_MAX_BYTES
    fields = {"body": body, "name": name, "email": email, "url": "https://example.org/" + "é" * 600}
    tokens = {"csrf_token": "t" * 64, "thread_meta": "m" * 1024, "next": "/" + "p" * 2000}
    as_json = json.dumps(fields | tokens).encode()
    as_form = urlencode(fields | tokens | {"parent_id": "9" * 19}).encode()
    assert max(len(as_json), len(as_form)) <= REQUEST_MAX_BYTES
