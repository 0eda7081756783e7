"""Public thread pages from the page cache: ETags, 304s, freshness after writes, privacy.

Every test that concerns the cache's behaviour runs on both caches: the
in-process LRU and Redis (a real server; skipped without one, failed under CI).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis_support import redis_page_cache
from threadkit_flask.redis_cache import RedisPageCache
from threadkit_flask.state import EXTENSION_KEY, get_state
from tkflask_support import HoldWords, create_app, new_comment, post_json

from threadkit.cache import LruPageCache, PageCache
from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.moderation import Pipeline

THREAD = "/comments/api/threads/post-1"
FRAGMENT = "/comments/fragments/threads/post-1"


class Recording:
    """A PageCache wrapper that remembers which keys were read and written."""

    def __init__(self, inner: PageCache) -> None:
        self.inner = inner
        self.gets: list[str] = []
        self.sets: list[str] = []

    def get(self, key: str) -> bytes | None:
        self.gets.append(key)
        return self.inner.get(key)

    def set(self, key: str, value: bytes) -> None:
        self.sets.append(key)
        self.inner.set(key, value)


@pytest.fixture(params=["lru", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[Recording]:
    if request.param == "lru":
        yield Recording(LruPageCache())
        return
    with redis_page_cache() as shared:
        yield Recording(shared)


def _with_cache(app: Flask, cache: PageCache) -> Flask:
    app.extensions[EXTENSION_KEY] = attrs.evolve(get_state(app), page_cache=cache)
    return app


@pytest.fixture
def app(engine: CommentEngine, cache: Recording) -> Flask:
    return _with_cache(create_app(engine), cache)


def _reader(app: Flask) -> FlaskClient:
    """A reader who never posted, voted or logged in: no cookie at all."""
    return app.test_client(use_cookies=False)


def _ids(page: dict[str, Any]) -> list[int]:
    found: list[int] = []
    stack = list(page["comments"])
    while stack:
        node = stack.pop()
        found.append(node["id"])
        stack.extend(node["replies"])
    return sorted(found)


# ---------------------------------------------------------------- JSON: headers, hits, 304


def test_a_public_read_carries_an_etag_a_cdn_may_keep_and_revalidates_to_304(
    client: FlaskClient, app: Flask, cache: Recording
) -> None:
    """public, no-cache + ETag + Vary; the same ETag back gets an empty 304, a hit in between."""
    new_comment(client)
    reader = _reader(app)
    first = reader.get(THREAD)
    second = reader.get(THREAD)
    again = reader.get(THREAD, headers={"If-None-Match": first.headers["ETag"]})
    assert (
        200,
        "public, no-cache",
        {"Cookie", "Authorization"},
        first.get_data(),
        304,
        b"",
        first.headers["ETag"],
        1,
    ) == (
        first.status_code,
        first.headers["Cache-Control"],
        {v.strip() for v in first.headers["Vary"].split(",")},
        second.get_data(),
        again.status_code,
        again.get_data(),
        again.headers["ETag"],
        len(cache.sets),
    )


def test_each_query_shape_is_cached_apart(client: FlaskClient, app: Flask) -> None:
    """Oldest and newest first, and a smaller limit, are three pages with three ETags."""
    for n in range(4):
        new_comment(client, body=f"c{n}")
    reader = _reader(app)
    answers = [reader.get(THREAD + query) for query in ("?sort=oldest", "?sort=newest", "?limit=1")]
    firsts = [a.get_json()["comments"][0]["body_html"].strip() for a in answers]
    assert (3, ["<p>c0</p>", "<p>c3</p>", "<p>c0</p>"], 1) == (
        len({a.headers["ETag"] for a in answers}),
        firsts,
        len(answers[2].get_json()["comments"]),
    )


def test_a_bad_query_gets_its_problem_and_nothing_is_cached(
    app: Flask, client: FlaskClient, cache: Recording
) -> None:
    """An unknown sort is a 422 problem for a public reader too, and fills no cache entry."""
    new_comment(client)
    answer = _reader(app).get(THREAD + "?sort=sideways")
    assert (422, "invalid_sort", []) == (
        answer.status_code,
        answer.get_json()["code"],
        cache.sets,
    )


def test_an_unknown_thread_is_a_404_problem_for_a_public_reader(app: Flask) -> None:
    """No thread, no page: 404 thread_not_found, as without the cache."""
    answer = _reader(app).get("/comments/api/threads/nothing-here")
    assert (404, "thread_not_found") == (answer.status_code, answer.get_json()["code"])


# ---------------------------------------------------------------- freshness after writes


def test_every_acknowledged_write_shows_in_the_next_public_read(
    client: FlaskClient, app: Flask
) -> None:
    """Post, reply, edit, vote, delete and moderate: each changes the next public page and ETag."""
    reader = _reader(app)
    top = new_comment(client, body="first")
    seen = [reader.get(THREAD)]
    reply = new_comment(client, body="reply", parent_id=top["id"])
    seen.append(reader.get(THREAD))
    post_json(client, f"/api/comments/{top['id']}", {"body": "edited"}, "PATCH")
    seen.append(reader.get(THREAD))
    voter = app.test_client()
    post_json(voter, f"/api/comments/{top['id']}/vote", {"value": 1}, "PUT")
    seen.append(reader.get(THREAD))
    post_json(client, f"/api/comments/{reply['id']}", {}, "DELETE")
    seen.append(reader.get(THREAD))
    mod = app.test_client()
    mod.get("/login/mod")
    post_json(mod, f"/api/comments/{top['id']}/moderation", {"decision": "spam"})
    seen.append(reader.get(THREAD))
    pages = [answer.get_json() for answer in seen]
    top_of = [p["comments"][0] if p["comments"] else None for p in pages]
    assert (
        6,
        [[top["id"]], [top["id"], reply["id"]], [top["id"], reply["id"]], [top["id"], reply["id"]]],
        ["<p>first</p>", "<p>first</p>", "<p>edited</p>", "<p>edited</p>"],
        [0, 0, 0, 1],
        [[top["id"]], []],
    ) == (
        len({answer.headers["ETag"] for answer in seen}),
        [_ids(p) for p in pages[:4]],
        [t["body_html"].strip() for t in top_of[:4] if t is not None],
        [t["upvotes"] for t in top_of[:4] if t is not None],
        [_ids(p) for p in pages[4:]],
    )


def test_a_public_page_leaves_out_the_markdown_source_an_authors_page_has_it(
    client: FlaskClient, app: Flask
) -> None:
    """Readers who cannot edit get no body_source; the author (who may edit) gets it."""
    new_comment(client, body="*mine*")
    public = _reader(app).get(THREAD).get_json()["comments"][0]
    mine = client.get(THREAD).get_json()["comments"][0]
    assert (False, "*mine*", "<p><em>mine</em></p>") == (
        "body_source" in public,
        mine["body_source"],
        public["body_html"].strip(),
    )


def test_the_fragment_is_cached_per_language(client: FlaskClient, app: Flask) -> None:
    """Two Accept-Language values: two cached fragments, two ETags, Vary names the header."""
    new_comment(client, body="hello")
    reader = app.test_client()
    german = reader.get(FRAGMENT, headers={"Accept-Language": "de"})
    english = reader.get(FRAGMENT, headers={"Accept-Language": "en"})
    assert (True, True) == (
        german.headers["ETag"] != english.headers["ETag"],
        "Accept-Language" in german.headers["Vary"],
    )


def test_the_replies_route_is_cached_and_fresh_after_a_reply(
    client: FlaskClient, app: Flask, cache: Recording
) -> None:
    """A public read of a comment's replies is cached (304 on its ETag) and shows a new reply."""
    top = new_comment(client, body="top")
    new_comment(client, body="one", parent_id=top["id"])
    reader = _reader(app)
    path = f"/comments/api/comments/{top['id']}/replies"
    first = reader.get(path)
    same = reader.get(path, headers={"If-None-Match": first.headers["ETag"]})
    second = new_comment(client, body="two", parent_id=top["id"])
    after = reader.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert (304, 200, True, "public, no-cache", 1) == (
        same.status_code,
        after.status_code,
        second["id"] in _ids(after.get_json()),
        first.headers["Cache-Control"],
        len([k for k in cache.sets[:1] if ":json-replies:" in k]),
    )


def test_replies_of_a_hidden_comment_stay_hidden_from_public_readers(
    client: FlaskClient, app: Flask
) -> None:
    """A held comment's replies route is 404 for a public reader, cached or not."""
    held = new_comment(client, body="HOLDME top")
    path = f"/comments/api/comments/{held['id']}/replies"
    answers = [_reader(app).get(path).status_code for _ in range(2)]
    assert [404, 404] == answers


def test_an_old_etag_after_a_write_gets_the_new_page(client: FlaskClient, app: Flask) -> None:
    """If-None-Match with the ETag from before a post is a 200 with the post in it."""
    new_comment(client, body="one")
    reader = _reader(app)
    old = reader.get(THREAD).headers["ETag"]
    second = new_comment(client, body="two")
    answer = reader.get(THREAD, headers={"If-None-Match": old})
    assert (200, True) == (answer.status_code, second["id"] in _ids(answer.get_json()))


def test_concurrent_writers_always_see_their_acknowledged_post_in_a_public_read(
    cache: Recording,
) -> None:
    """Four threads post and read at once; after each 201, a cookieless read holds that comment."""
    engine = CommentEngine(
        MemoryStore(),
        clock=ManualClock(),
        pipeline=Pipeline([HoldWords()]),
        policy=EnginePolicy(top_limit=200, total_limit=500),
    )
    app = _with_cache(create_app(engine), cache)
    new_comment(app.test_client(), body="seed")
    misses: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            writer = app.test_client()
            reader = _reader(app)
            for n in range(15):
                posted = new_comment(writer, body=f"w{worker} n{n}")
                page = reader.get(THREAD + "?limit=200").get_json()
                if posted["id"] not in _ids(page):
                    misses.append((worker, posted["id"]))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    final = _reader(app).get(THREAD + "?limit=200").get_json()
    assert ([], [], 61, True) == (
        errors,
        misses,
        len(_ids(final)),
        len(cache.gets) > len(cache.sets) or len(cache.sets) > 0,
    )


# ---------------------------------------------------------------- privacy


def test_a_reader_with_a_pending_comment_neither_gets_nor_fills_the_public_page(
    client: FlaskClient, app: Flask, cache: Recording
) -> None:
    """The author sees their held comment (no-store); the public page, before or after, never."""
    new_comment(client, body="public")
    reader = _reader(app)
    before = reader.get(THREAD)
    held = new_comment(client, body="HOLDME wait")
    sets_before = list(cache.sets)
    mine = client.get(THREAD)
    after = reader.get(THREAD)
    assert (True, "no-store", None, sets_before, False, False) == (
        held["id"] in _ids(mine.get_json()),
        mine.headers["Cache-Control"],
        mine.headers.get("ETag"),
        cache.sets[: len(sets_before)],
        held["id"] in _ids(after.get_json()),
        held["id"] in _ids(before.get_json()),
    )


def test_a_moderator_neither_gets_nor_fills_the_public_page(
    client: FlaskClient, app: Flask, cache: Recording
) -> None:
    """The moderator's page has emails and reasons and is never cached; readers' pages have none."""
    new_comment(client, body="hi", email="ada@example.org")
    reader = _reader(app)
    reader.get(THREAD)
    mod = app.test_client()
    mod.get("/login/mod")
    reads_before, sets_before = len(cache.gets), len(cache.sets)
    theirs = mod.get(THREAD)
    public = reader.get(THREAD)
    assert ("ada@example.org", "no-store", reads_before, sets_before, False) == (
        theirs.get_json()["comments"][0]["author"]["email"],
        theirs.headers["Cache-Control"],
        len(cache.gets) - 1,  # only the public read after it
        len(cache.sets),
        "email" in public.get_json()["comments"][0]["author"],
    )


def test_a_logged_in_reader_gets_a_page_of_their_own(app: Flask, client: FlaskClient) -> None:
    """A host-site login makes the reader private: no-store and no ETag."""
    new_comment(client)
    user = app.test_client()
    user.get("/login/bob")
    answer = user.get(THREAD)
    assert ("no-store", None) == (answer.headers["Cache-Control"], answer.headers.get("ETag"))


# ---------------------------------------------------------------- HTML fragment


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def test_the_cached_fragment_carries_each_readers_own_csrf_token(
    client: FlaskClient, app: Flask, cache: Recording
) -> None:
    """Two readers share one cached fragment, yet each vote form holds that reader's own token."""
    new_comment(client, body="vote on me")
    ann, bob = app.test_client(), app.test_client()
    first = ann.get(FRAGMENT)
    second = bob.get(FRAGMENT)
    ann_token = ann.get("/comments/api/me").get_json()["csrf_token"]
    bob_token = bob.get("/comments/api/me").get_json()["csrf_token"]
    assert ({ann_token}, {bob_token}, True, 1, "private, no-cache", False) == (
        _tokens(first.get_data(as_text=True)),
        _tokens(second.get_data(as_text=True)),
        ann_token != bob_token,
        len([k for k in cache.sets if ":html-fragment:" in k]),
        first.headers["Cache-Control"],
        first.headers["ETag"] == second.headers["ETag"],
    )


def test_the_fragment_revalidates_and_changes_after_a_write(
    client: FlaskClient, app: Flask
) -> None:
    """Same session and version: 304; after a post: 200 with the new comment."""
    new_comment(client, body="one")
    reader = app.test_client()
    first = reader.get(FRAGMENT)
    same = reader.get(FRAGMENT, headers={"If-None-Match": first.headers["ETag"]})
    new_comment(client, body="two")
    after = reader.get(FRAGMENT, headers={"If-None-Match": first.headers["ETag"]})
    assert (304, 200, True) == (
        same.status_code,
        after.status_code,
        "<p>two</p>" in after.get_data(as_text=True),
    )


def test_the_fragment_keeps_its_next_page_link(client: FlaskClient, app: Flask) -> None:
    """A cached fragment answers with the same X-Threadkit-Next link as a freshly built one."""
    for n in range(5):  # the test engine shows 3 top-level comments a page
        new_comment(client, body=f"c{n}")
    reader = app.test_client()
    built, cached = reader.get(FRAGMENT), reader.get(FRAGMENT)
    assert (True, built.headers["X-Threadkit-Next"]) == (
        "cursor=" in built.headers["X-Threadkit-Next"],
        cached.headers["X-Threadkit-Next"],
    )


# ---------------------------------------------------------------- Redis trouble


def test_an_unreachable_redis_is_a_miss_not_an_error() -> None:
    """With nothing listening, get answers None and set does nothing, quickly."""
    cache = RedisPageCache.from_url("redis://127.0.0.1:1/0", timeout_seconds=0.2)
    cache.set("k", b"page")
    assert cache.get("k") is None


def test_a_redis_page_expires_after_its_ttl() -> None:
    """Pages are set with the cache's TTL (old versions are never asked for again)."""
    with redis_page_cache(ttl_seconds=120) as cache:
        cache.set("k", b"page")
        ttl = cache._client.ttl(cache.prefix + "k")
        assert (b"page", True) == (cache.get("k"), 0 < int(ttl) <= 120)
