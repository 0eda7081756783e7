"""The session cookie's cheaper serializer: Flask's exact cookies, read and written the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.json.tag import JSONTag
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode
from markupsafe import Markup
from threadkit_flask.security import HardenedSessionInterface
from threadkit_flask.session_signing import COMPRESS_FROM, fast_serializer

NOW = 1_790_000_000.0

LARGE = {"host_cart": [f"item-{n}" for n in range(200)], "note": "x" * 2000}
SMALL_REPETITIVE = {"a": "ab" * 100}  # Flask would deflate it; below COMPRESS_FROM it is not

SESSIONS: list[dict[str, Any]] = [
    LARGE,
    SMALL_REPETITIVE,
    {},
    {"threadkit_csrf": "AaADJhoYcAcXKfNK6f8ODQxZrMWW-LZK4s3xMXBo0Hk"},
    {"threadkit_csrf": "t", "threadkit_browser": "b" * 24, "threadkit_author": "gAAAAAB" * 20},
    {" t": "looks like a tag"},  # one key that is a tag's: Flask tags the dict
    {" t": "a", "other": "b"},
    {"n": 1, "f": 1.5, "yes": True, "none": None, "list": ["a", 1]},
    {"tuple": ("a", "b"), "bytes": b"\x00\xff", "markup": Markup("<b>x</b>")},
    {"when": datetime(2026, 12, 2, 16, 0, tzinfo=UTC), "id": uuid.UUID(int=7)},
    {"nested": {"a": {"b": "c"}}, "_permanent": True},
    {"unicode": "Zoë \u2028 \U0001f600", "quote": '"\\'},
]


@pytest.fixture
def app() -> Flask:
    made = Flask("signing")
    made.secret_key = "current"
    made.config["SECRET_KEY_FALLBACKS"] = ["older", b"oldest"]
    return made


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both serializers sign at the same second (the timestamp is part of the cookie)."""
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: NOW)


def stock(app: Flask) -> URLSafeTimedSerializer:
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    return serializer


def fast(app: Flask, keys: list[str | bytes] | None = None) -> URLSafeTimedSerializer:
    chosen = keys if keys is not None else [*app.config["SECRET_KEY_FALLBACKS"], app.secret_key]
    serializer = fast_serializer(SecureCookieSessionInterface(), chosen)
    assert serializer is not None
    return serializer


def _flasks_json(app: Flask, session: dict[str, Any]) -> bytes:
    serializer = stock(app)
    return bytes(serializer.serializer.dumps(session).encode("utf-8"))


@pytest.mark.parametrize("session", SESSIONS)
def test_the_cookie_is_flasks_byte_for_byte_or_flasks_uncompressed(
    app: Flask, session: dict[str, Any]
) -> None:
    """A large session makes exactly Flask's cookie; a small one, Flask's JSON left undeflated."""
    with app.app_context():
        mine = fast(app).dumps(session)
        flasks = stock(app).dumps(session)
        if len(_flasks_json(app, session)) >= COMPRESS_FROM:
            assert flasks == mine
        else:
            payload, stamp, _ = mine.rsplit(".", 2)
            assert _flasks_json(app, session) == base64_decode(payload)
            assert flasks.rsplit(".", 2)[1] == stamp


def test_a_large_session_is_still_compressed(app: Flask) -> None:
    """A session of COMPRESS_FROM bytes or more is deflated, as Flask does (a 4 KB cookie limit)."""
    with app.app_context():
        cookie = fast(app).dumps(LARGE)
        assert cookie.startswith(".")
        assert len(cookie) < len(_flasks_json(app, LARGE))


def test_a_small_session_is_not_deflated(app: Flask) -> None:
    """Below COMPRESS_FROM the payload is plain base64 JSON, even when it would shrink."""
    with app.app_context():
        assert stock(app).dumps(SMALL_REPETITIVE).startswith(".")
        assert not fast(app).dumps(SMALL_REPETITIVE).startswith(".")


@pytest.mark.parametrize("session", SESSIONS)
def test_each_reads_the_others_cookie(app: Flask, session: dict[str, Any]) -> None:
    """Flask reads the cookie it makes, and it reads Flask's."""
    with app.app_context():
        assert session == stock(app).loads(fast(app).dumps(session))
        assert session == fast(app).loads(stock(app).dumps(session), max_age=60)


def test_a_cookie_signed_with_a_fallback_secret_still_opens(app: Flask) -> None:
    """Rotated secrets keep readers' sessions, as Flask's SECRET_KEY_FALLBACKS promise."""
    with app.app_context():
        old = fast(app, [b"oldest"]).dumps({"a": "b"})
        assert {"a": "b"} == fast(app).loads(old)
        assert {"a": "b"} == stock(app).loads(old)


def test_tampered_or_foreign_cookies_are_refused(app: Flask) -> None:
    """A changed payload, a changed signature or another secret's cookie is a bad signature."""
    with app.app_context():
        cookie = fast(app).dumps({"threadkit_csrf": "token"})
        payload, stamp, signature = cookie.rsplit(".", 2)
        flipped = "A" if signature[0] != "A" else "B"
        for bad in (
            f"{payload}x.{stamp}.{signature}",
            f"{payload}.{stamp}.{flipped}{signature[1:]}",
            f"{payload}.{stamp}.!!",
            fast(app, ["someone else"]).dumps({"threadkit_csrf": "token"}),
        ):
            with pytest.raises(BadSignature):
                fast(app).loads(bad)


def test_an_old_cookie_expires_like_flasks(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """``max_age`` (the session lifetime) still ends a cookie."""
    with app.app_context():
        cookie = fast(app).dumps({"a": "b"})
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: NOW + 61)
        with pytest.raises(SignatureExpired):
            fast(app).loads(cookie, max_age=60)


def test_other_signing_choices_get_flasks_own_serializer() -> None:
    """Another digest, key derivation or payload serializer is left to Flask."""

    class Sha256(SecureCookieSessionInterface):
        digest_method = staticmethod(__import__("hashlib").sha256)

    class Concat(SecureCookieSessionInterface):
        key_derivation = "concat"

    for interface in (Sha256(), Concat()):
        assert fast_serializer(interface, ["key"]) is None


class Upper(JSONTag):
    """A host's tag for upper-case strings (stored lower-case)."""

    key = " up"

    def check(self, value: Any) -> bool:
        return isinstance(value, str) and value.isupper()

    def to_json(self, value: Any) -> Any:
        return value.lower()

    def to_python(self, value: Any) -> Any:
        return value.upper()


def test_a_tag_the_host_registered_is_still_applied(app: Flask) -> None:
    """A tag registered on Flask's serializer (even one for strings) is never skipped."""
    interface = SecureCookieSessionInterface()
    original = list(interface.serializer.order)
    interface.serializer.register(Upper, index=0)
    try:
        with app.app_context():
            serializer = fast_serializer(interface, [app.secret_key])
            assert serializer is not None
            session = {"a": "LOUD"}
            assert _flasks_json(app, session) == serializer.serializer.dumps(session).encode()
            assert session == serializer.loads(serializer.dumps(session))
            assert session == stock(app).loads(serializer.dumps(session))
    finally:
        interface.serializer.order[:] = original
        interface.serializer.tags.pop(" up", None)


def test_a_tag_registered_after_cookies_were_made_is_applied(app: Flask) -> None:
    """The default tags, once seen, are looked at again when the host registers another."""
    interface = SecureCookieSessionInterface()
    original = list(interface.serializer.order)
    session = {"a": "LOUD"}
    try:
        with app.app_context():
            serializer = fast_serializer(interface, [app.secret_key])
            assert serializer is not None
            assert '{"a":"LOUD"}' == serializer.serializer.dumps(session)  # defaults seen
            interface.serializer.register(Upper, index=0)
            assert _flasks_json(app, session) == serializer.serializer.dumps(session).encode()
            assert session == serializer.loads(serializer.dumps(session))
    finally:
        interface.serializer.order[:] = original
        interface.serializer.tags.pop(" up", None)


def test_the_hardened_interface_uses_it_and_follows_a_new_secret(app: Flask) -> None:
    """The hardened session interface makes Flask's cookies and notices a rotated secret."""
    interface = HardenedSessionInterface()
    with app.app_context():
        first = interface.get_signing_serializer(app)
        assert first is not None
        assert stock(app).loads(first.dumps({"a": "b"})) == {"a": "b"}
        app.secret_key = "rotated"
        second = interface.get_signing_serializer(app)
        assert second is not None
        assert second is not first
        assert stock(app).loads(second.dumps({"a": "b"})) == {"a": "b"}
        assert first.dumps({"a": "b"}) != second.dumps({"a": "b"})
