"""The fast lane (``threadkit_flask.fast_reads``): repeated public reads answered before Flask.

Every test counts the requests Flask itself handled (an ``after_request`` hook
of the host, which the fast lane skips and does not mind) and compares the fast
answer with what Flask answered for the same request. Both caches: the
in-process LRU and Redis (a real server; skipped without one, failed under CI).
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from flask import Flask, Response, abort, request
from flask.testing import FlaskClient
from redis_support import redis_page_cache
from threadkit_flask.state import EXTENSION_KEY, get_state
from tkflask_support import create_app, new_comment

from threadkit.cache import LruPageCache, PageCache
from threadkit.engine import CommentEngine
from threadkit.identity import AnonymousProvider, CallableSessionProvider

THREAD = "/comments/api/threads/post-1"


@pytest.fixture(params=["lru", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[PageCache]:
    if request.param == "lru":
        yield LruPageCache()
        return
    with redis_page_cache() as shared:
        yield shared


class Counted:
    """A host app whose Flask-handled requests are counted."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.through_flask = 0
        app.after_request(self._count)

    def _count(self, response: Response) -> Response:
        self.through_flask += 1
        return response


@pytest.fixture
def site(engine: CommentEngine, cache: PageCache) -> Counted:
    app = create_app(engine, providers=[AnonymousProvider()])
    app.extensions[EXTENSION_KEY] = attrs.evolve(get_state(app), page_cache=cache)
    return Counted(app)


@pytest.fixture
def writer(site: Counted) -> Iterator[FlaskClient]:
    with site.app.test_client() as test_client:
        yield test_client


def _reader(site: Counted) -> FlaskClient:
    return site.app.test_client(use_cookies=False)


def _headers(response: Response) -> dict[str, str]:
    return dict(response.headers)


def test_a_repeated_public_read_skips_flask_with_the_same_bytes_and_headers(
    site: Counted, writer: FlaskClient
) -> None:
    """The second identical read is answered by the fast lane: same status, body, headers."""
    new_comment(writer, body="first")
    reader = _reader(site)
    before = site.through_flask
    slow = reader.get(THREAD + "?sort=newest&limit=2")
    fast = reader.get(THREAD + "?sort=newest&limit=2")
    assert (1, 200, slow.get_data(), _headers(slow)) == (
        site.through_flask - before,
        fast.status_code,
        fast.get_data(),
        _headers(fast),
    )
    assert {"X-Content-Type-Options", "Content-Security-Policy", "ETag", "Vary"} <= set(
        _headers(fast)
    )


def test_a_write_shows_at_once_on_the_fast_lane(site: Counted, writer: FlaskClient) -> None:
    """After an acknowledged write the next read has it: the lane reads the version each time."""
    new_comment(writer, body="first")
    reader = _reader(site)
    reader.get(THREAD)
    reader.get(THREAD)
    new_comment(writer, body="second")
    bodies = [node["body_html"] for node in reader.get(THREAD).get_json()["comments"]]
    again = reader.get(THREAD)
    assert (["<p>first</p>\n", "<p>second</p>\n"], bodies) == (
        ["<p>first</p>\n", "<p>second</p>\n"],
        [node["body_html"] for node in again.get_json()["comments"]],
    )


def test_revalidation_gets_the_same_304_from_the_fast_lane(
    site: Counted, writer: FlaskClient
) -> None:
    """A matching If-None-Match: Flask's 304 once, then the lane's, with the same headers."""
    new_comment(writer)
    reader = _reader(site)
    etag = reader.get(THREAD).headers["ETag"]
    slow = reader.get(THREAD, headers={"If-None-Match": etag})
    before = site.through_flask
    fast = reader.get(THREAD, headers={"If-None-Match": etag})
    assert (304, b"", _headers(slow), 0) == (
        fast.status_code,
        fast.get_data(),
        _headers(fast),
        site.through_flask - before,
    )


def test_a_reader_with_a_cookie_or_a_token_always_goes_through_flask(
    site: Counted, writer: FlaskClient
) -> None:
    """Cookies and Authorization may carry an identity: those reads are never answered early."""
    new_comment(writer, body="held HOLDME")  # pending: only its author sees it
    reader = _reader(site)
    reader.get(THREAD)
    public = reader.get(THREAD).get_json()
    before = site.through_flask
    own = writer.get(THREAD).get_json()
    writer.get(THREAD)
    reader.get(THREAD, headers={"Authorization": "Bearer nothing-valid"})
    assert (3, [], ["pending"]) == (
        site.through_flask - before,
        public["comments"],
        [node["status"] for node in own["comments"]],
    )


def test_a_host_before_request_hook_turns_the_lane_off(site: Counted, writer: FlaskClient) -> None:
    """A host hook may refuse a reader, so with one every read goes through Flask."""
    closed = {"now": False}

    @site.app.before_request
    def members_only() -> None:
        if closed["now"] and request.path.startswith("/comments/"):
            abort(401)

    new_comment(writer)
    reader = _reader(site)
    reader.get(THREAD)
    reader.get(THREAD)
    closed["now"] = True
    assert 401 == reader.get(THREAD).status_code


def test_a_session_identity_provider_turns_the_lane_off(engine: CommentEngine) -> None:
    """The host's login may be read from anything in the request: no early answers then."""
    app = create_app(
        engine, providers=[CallableSessionProvider("site", lambda r: None), AnonymousProvider()]
    )
    site = Counted(app)
    with app.test_client() as writer:
        new_comment(writer)
    reader = _reader(site)
    before = site.through_flask
    for _ in range(3):
        assert 200 == reader.get(THREAD).status_code
    assert 3 == site.through_flask - before


def test_a_new_page_version_not_yet_cached_is_built_by_flask(
    site: Counted, writer: FlaskClient
) -> None:
    """The lane serves only cached bytes: a miss (after a write) goes through Flask and fills."""
    new_comment(writer)
    reader = _reader(site)
    reader.get(THREAD)
    new_comment(writer, body="again")
    before = site.through_flask
    reader.get(THREAD)
    reader.get(THREAD)
    assert 1 == site.through_flask - before
