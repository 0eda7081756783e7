"""The session cookie's one-call read and write, and ``Vary: Cookie`` without a header parse.

Each is checked against Flask and itsdangerous themselves: the same cookies
read to the same sessions, the same exceptions for bad ones, the same
response headers in the same order.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import (
    BadData,
    BadPayload,
    BadSignature,
    BadTimeSignature,
    SignatureExpired,
    URLSafeTimedSerializer,
)
from itsdangerous.encoding import base64_encode, int_to_bytes
from threadkit_flask.security import HardenedSessionInterface
from threadkit_flask.session_signing import fast_serializer

NOW = 1_790_000_000.0

texts = st.text(max_size=40)
# Keys that look like Flask's tags (" t", " di", ...) are kept apart by tagging: include them.
keys = st.one_of(texts, st.sampled_from([" t", " di", " u", " b", " m", " d", " x"]))
plain_sessions = st.dictionaries(keys, texts, max_size=5)
tagged_values = st.one_of(
    texts, st.integers(), st.booleans(), st.none(), st.tuples(texts), st.binary(max_size=8)
)
sessions = st.one_of(plain_sessions, st.dictionaries(keys, tagged_values, max_size=4))


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cookies are signed at a known second (the timestamp is part of the cookie)."""
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: NOW)


@pytest.fixture
def app() -> Flask:
    made = Flask("fast-paths")
    made.secret_key = "current"
    made.config["SECRET_KEY_FALLBACKS"] = ["older"]
    return made


def stock(app: Flask) -> URLSafeTimedSerializer:
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    return serializer


def fast(app: Flask) -> URLSafeTimedSerializer:
    serializer = fast_serializer(SecureCookieSessionInterface(), ["older", "current"])
    assert serializer is not None
    return serializer


@settings(max_examples=150, deadline=None)
@given(session=sessions)
def test_any_session_reads_back_the_same_from_either_cookie(session: dict[str, Any]) -> None:
    """Flask's cookie and the fast one both read to the session, through both readers."""
    app = Flask("fast-paths-property")
    app.secret_key = "current"
    app.config["SECRET_KEY_FALLBACKS"] = ["older"]
    with app.app_context():
        for cookie in (stock(app).dumps(session), fast(app).dumps(session)):
            assert stock(app).loads(cookie) == fast(app).loads(cookie, max_age=60)
            assert session == fast(app).loads(cookie)


def _signed(app: Flask, payload: bytes, stamp: bytes) -> str:
    """A cookie with this payload and timestamp part, correctly signed with the current key."""
    signer = fast(app).make_signer()
    value = payload + b"." + stamp
    return (value + b"." + signer.get_signature(value)).decode("ascii")


def _raised(serializer: URLSafeTimedSerializer, cookie: str, **kwargs: Any) -> type | None:
    try:
        serializer.loads(cookie, **kwargs)
    except BadData as error:  # BadPayload is no BadSignature: it escapes Flask's check too
        return type(error)
    return None


def test_bad_cookies_raise_what_itsdangerous_raises(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Expired, future, malformed or unstamped cookies give itsdangerous's own exceptions."""
    with app.app_context():
        good = fast(app).dumps({"a": "b"})
        payload = good.split(".", 1)[0].encode()
        now = base64_encode(int_to_bytes(int(NOW)))
        future = base64_encode(int_to_bytes(int(NOW) + 100))
        cases = {
            "future": (_signed(app, payload, future), SignatureExpired),
            "malformed stamp": (_signed(app, payload, b"A" * 16), BadTimeSignature),
            "stamp zero": (_signed(app, payload, b"!!"), SignatureExpired),
            "no stamp": (
                payload.decode() + "." + fast(app).make_signer().get_signature(payload).decode(),
                BadTimeSignature,
            ),
            "no dot": ("abc", BadSignature),
            "not JSON": (_signed(app, base64_encode(b"{x"), now), BadPayload),
            "not base64": (_signed(app, b"a", now), BadPayload),
        }
        for name, (cookie, expected) in cases.items():
            assert expected == _raised(stock(app), cookie, max_age=60), name
            assert _raised(stock(app), cookie, max_age=60) == _raised(
                fast(app), cookie, max_age=60
            ), name
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: NOW + 61)
        assert SignatureExpired == _raised(fast(app), good, max_age=60)
        assert {"a": "b"} == fast(app).loads(good)  # no max_age: no expiry, as itsdangerous


def test_timestamps_and_other_salts_still_work(app: Flask) -> None:
    """``return_timestamp`` and a salt of the caller's take itsdangerous's own path."""
    with app.app_context():
        cookie = fast(app).dumps({"a": "b"})
        assert stock(app).loads(cookie, return_timestamp=True) == fast(app).loads(
            cookie, return_timestamp=True
        )
        salted = fast(app).dumps({"a": "b"}, salt="other")
        assert {"a": "b"} == fast(app).loads(salted, salt="other")
        with pytest.raises(BadSignature):
            fast(app).loads(salted)


class _FlasksSave(HardenedSessionInterface):
    """The hardened interface with Flask's own ``save_session``: the reference."""

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        SecureCookieSessionInterface.save_session(self, app, session, response)


def _session(kind: str) -> SecureCookieSession:
    session = SecureCookieSession({"threadkit_csrf": "token"} if kind != "emptied" else {"a": "b"})
    if kind in ("accessed", "written", "emptied"):
        session.accessed = True
    if kind == "written":
        session["threadkit_browser"] = "browser"
    if kind == "emptied":
        session.clear()
    if kind == "permanent":
        session.permanent = True
        session.modified = False
    return session


VARY_BEFORE = [
    [],
    [("Vary", "Origin")],
    [("Vary", "cookie")],
    [("vary", "Accept"), ("X", "y")],
    [("Vary", "Cookie"), ("Vary", "Origin")],
    [("X", "y"), ("Vary", "Origin, Cookie")],
    [("Vary", "")],
]


@pytest.mark.parametrize("before", VARY_BEFORE)
@pytest.mark.parametrize("kind", ["untouched", "accessed", "written", "emptied", "permanent"])
def test_saving_sets_the_same_headers_as_flask(
    app: Flask, before: list[tuple[str, str]], kind: str
) -> None:
    """Vary and Set-Cookie come out as Flask writes them: same names, values and order."""
    app.config["SESSION_REFRESH_EACH_REQUEST"] = True
    answers = []
    with app.test_request_context("/"):
        for interface in (_FlasksSave(), HardenedSessionInterface()):
            response = Response("x", headers=list(before))
            interface.save_session(app, _session(kind), response)
            answers.append(response.headers.to_wsgi_list())
    assert answers[0] == answers[1]


def test_a_signature_in_other_base64_still_opens_as_itsdangerous_reads_it(app: Flask) -> None:
    """A signature with its padding written out is not what signing writes, yet it is valid."""
    with app.app_context():
        cookie = fast(app).dumps({"a": "b"}) + "="
        assert {"a": "b"} == stock(app).loads(cookie)
        assert {"a": "b"} == fast(app).loads(cookie, max_age=60)


COOKIE_HEADERS = [
    None,
    "",
    "session=abc",
    'a=1; session="quoted\\"value"; b=2',
    "session=first; session=second",
    "  spaced = value ;;; other=x",
    "caf\xc3\xa9=1; n=%C3%A9",
]


@settings(max_examples=100, deadline=None)
@given(
    header=st.one_of(
        st.sampled_from(COOKIE_HEADERS),
        st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=60),
    )
)
def test_request_cookies_are_werkzeugs(header: str | None) -> None:
    """Opening the session fills ``request.cookies`` exactly as Werkzeug parses them."""
    app = Flask("cookies")
    app.secret_key = "k"
    interface = HardenedSessionInterface()
    headers = {} if header is None else {"Cookie": header.encode("utf-8").decode("latin-1")}
    with app.test_request_context(headers=headers) as ctx:
        expected = app.request_class(ctx.request.environ).cookies
        fresh = app.request_class(ctx.request.environ)  # its cookies not parsed yet
        interface.open_session(app, fresh)
        assert "cookies" in fresh.__dict__  # filled by the session's opening
        assert list(expected.items(multi=True)) == list(fresh.cookies.items(multi=True))
        assert type(expected) is type(fresh.cookies)


def test_a_request_class_with_its_own_cookies_is_asked() -> None:
    """A host's request class that computes cookies itself keeps doing so."""

    class OwnCookies(Request):
        @property
        def cookies(self) -> Any:
            return {"session": "from-the-host"}

    app = Flask("own-cookies")
    app.secret_key = "k"
    app.request_class = OwnCookies
    with app.test_request_context(headers={"Cookie": "session=ignored"}) as ctx:
        fresh = app.request_class(ctx.request.environ)
        HardenedSessionInterface().open_session(app, fresh)
        assert {"session": "from-the-host"} == fresh.cookies


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("sort_keys", [True, False])
def test_plain_sessions_are_dumped_as_the_apps_json_provider_dumps(
    app: Flask, ensure_ascii: bool, sort_keys: bool
) -> None:
    """The provider's ensure_ascii and sort_keys shape the cookie's JSON exactly as before."""
    app.json.ensure_ascii = ensure_ascii  # type: ignore[attr-defined]
    app.json.sort_keys = sort_keys  # type: ignore[attr-defined]
    session = {"zeta": "Zoë \u2028", "alpha": "a", "mid": '"\\'}
    with app.app_context():
        expected = stock(app).serializer.dumps(session)
        assert expected == fast(app).serializer.dumps(session)


def test_another_json_provider_is_still_asked(app: Flask) -> None:
    """A host's own JSON provider writes the cookie's JSON, as with Flask's serializer."""
    from flask.json.provider import DefaultJSONProvider

    class Loud(DefaultJSONProvider):
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            return super().dumps(obj, **kwargs).upper()

    app.json = Loud(app)
    with app.app_context():
        assert '{"A":"B"}' == fast(app).serializer.dumps({"a": "b"})
        assert stock(app).serializer.dumps({"a": "b"}) == fast(app).serializer.dumps({"a": "b"})


HEADER_NAMES = ["Content-Type", "content-length", "X-Threadkit-CSRF", "x-threadkit-csrf",
                "Authorization", "Idempotency-Key", "Origin", "X-Missing", "Cookie"]  # fmt: skip


@pytest.mark.parametrize("name", HEADER_NAMES)
def test_request_headers_read_as_werkzeug_reads_them(name: str) -> None:
    """The adapter's header lookup gives Werkzeug's value (or None) for any name, twice."""
    from threadkit_flask.web import FlaskRequest

    app = Flask("headers")
    sent = {"X-Threadkit-CSRF": "t", "Authorization": "Bearer x", "Idempotency-Key": "k",
            "Origin": "https://a.example", "Cookie": "a=b"}  # fmt: skip
    with app.test_request_context(method="POST", data=b"{}", headers=sent,
                                  content_type="application/json") as ctx:  # fmt: skip
        wrapped = FlaskRequest(ctx.request)
        assert ctx.request.headers.get(name) == wrapped.header(name)
        assert ctx.request.headers.get(name) == wrapped.header(name)


def test_cookies_signed_across_seconds_are_flasks(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signing time's encoding, kept a second, follows the clock: Flask's cookie each time."""
    serializer = fast(app)
    with app.app_context():
        for now in (NOW, NOW, NOW + 1, NOW + 300, NOW + 1):
            monkeypatch.setattr("itsdangerous.timed.time.time", lambda now=now: now)
            assert stock(app).dumps({"a": "b"}) == serializer.dumps({"a": "b"})


def test_another_json_provider_reads_the_cookie(app: Flask) -> None:
    """A host's own JSON provider loads the cookie's JSON, as Flask's serializer lets it."""
    from flask.json.provider import DefaultJSONProvider

    class Marking(DefaultJSONProvider):
        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            loaded = super().loads(s, **kwargs)
            return {**loaded, "seen": "yes"} if isinstance(loaded, dict) else loaded

    with app.app_context():
        cookie = fast(app).dumps({"a": "b"})
        app.json = Marking(app)
        assert stock(app).loads(cookie) == fast(app).loads(cookie, max_age=60)
        assert {"a": "b", "seen": "yes"} == fast(app).loads(cookie, max_age=60)
