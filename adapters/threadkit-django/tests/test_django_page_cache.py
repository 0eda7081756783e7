"""The page cache on Django: ETag and 304, never stale after a write, never a private page shared.

The last tests run two Django "workers" (two states over one SQLite database,
each with its own Django Redis cache backend on one server) and check they share
pages and that a write through one is seen by the other at once.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client, override_settings
from threadkit_django import get_state, reset_state
from threadkit_django import state as django_state

from threadkit.engine import Decision
from threadkit.models import Actor, Identity, Submission
from threadkit.testing.servers import require

pytestmark = pytest.mark.django_db

HOLD_ALL = {"STORE": "threadkit.memory:MemoryStore", "ENGINE": "tkdjango_site.engines:holding"}
REDIS_URL = os.environ.get("THREADKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BOSS = Actor(identity=Identity("django", "boss", "Boss"), moderator=True)
THREAD = "/comments/api/threads/post-1"


@pytest.fixture
def site() -> Iterator[None]:
    """A memory store whose engine holds every author's first comment."""
    with override_settings(THREADKIT=HOLD_ALL):
        reset_state()
        yield
        reset_state()


def _published(body: str, name: str = "Ada", parent: int | None = None) -> int:
    """Post ``body`` as ``name`` and approve it (a write the cache must show at once)."""
    engine = get_state().engine
    author = Identity("anonymous", f"{name}-browser", name)
    comment = engine.post("post-1", Submission(body, parent_id=parent), author, url="/p/")
    engine.moderate(comment.id, Decision.APPROVE, BOSS)
    return comment.id


def _bodies(response: Any) -> list[str]:
    return re.findall(r'"body_html":\s*"<p>([^<]*)</p>', response.content.decode())


def _etag(response: Any) -> str:
    etag = response["ETag"]
    assert isinstance(etag, str)
    return etag


def test_a_public_read_has_an_etag_and_revalidates_to_304(site: None) -> None:
    """``public, no-cache``, Vary on Cookie and Authorization; the same ETag is a 304."""
    _published("first")
    reader = Client()
    page = reader.get(THREAD)
    assert 200 == page.status_code
    assert "public, no-cache" == page["Cache-Control"]
    assert {"Cookie", "Authorization"} <= {v.strip() for v in page["Vary"].split(",")}
    assert "body_source" not in page.json()["comments"][0]  # a public reader edits nothing
    again = reader.get(THREAD, headers={"If-None-Match": _etag(page)})
    assert 304 == again.status_code
    assert b"" == again.content
    assert (_etag(page), "public, no-cache") == (_etag(again), again["Cache-Control"])
    weak = reader.get(THREAD, headers={"If-None-Match": f'"other", W/{_etag(page)}'})
    assert 304 == weak.status_code
    assert 0 == len(reader.cookies)  # reading starts no session


def test_every_write_shows_in_the_next_public_read(site: None) -> None:
    """A post, an edit and a deletion each change the ETag and the page (never stale)."""
    first = _published("first")
    reader = Client()
    before = reader.get(THREAD)
    assert ["first"] == _bodies(before)
    _published("second", name="Bo")
    after = reader.get(THREAD, headers={"If-None-Match": _etag(before)})
    assert 200 == after.status_code
    assert ["first", "second"] == _bodies(after)
    assert _etag(before) != _etag(after)
    get_state().engine.edit(first, "first, edited", BOSS)
    assert ["first, edited", "second"] == _bodies(reader.get(THREAD))
    get_state().engine.moderate(first, Decision.DELETE, BOSS)
    assert ["second"] == _bodies(reader.get(THREAD))


def test_each_query_is_cached_apart(site: None) -> None:
    """Oldest-first and newest-first pages have their own ETags and bodies."""
    _published("first")
    _published("second", name="Bo")
    oldest = Client().get(THREAD + "?sort=oldest")
    newest = Client().get(THREAD + "?sort=newest")
    assert ["first", "second"] == _bodies(oldest)
    assert ["second", "first"] == _bodies(newest)
    assert _etag(oldest) != _etag(newest)


def test_an_unknown_thread_is_a_404_problem_not_a_cached_page(site: None) -> None:
    """No thread: the engine's 404 problem, no ETag."""
    response = Client().get("/comments/api/threads/nothing")
    assert 404 == response.status_code
    assert "ETag" not in response


def _author_session(client: Client, body: str) -> int:
    """Post ``body`` through the API as this browser's anonymous author (held: a first comment)."""
    page = client.get("/posts/post-1/").content.decode()
    meta = re.search(r'name="thread_meta" value="([^"]+)"', page)
    assert meta is not None
    me = client.get("/comments/api/me").json()
    posted = client.post(
        THREAD + "/comments",
        {"body": body, "name": "Cy", "thread_meta": meta.group(1)},
        content_type="application/json",
        headers={me["csrf_header"]: me["csrf_token"]},
    )
    assert ("pending", 201) == (posted.json()["status"], posted.status_code)
    return int(posted.json()["id"])


def test_an_authors_pending_comment_never_reaches_the_public_page(site: None) -> None:
    """The author sees their held comment (``no-store``); readers before and after never do."""
    _published("first")
    public_before = Client().get(THREAD)  # fills the cache
    cy = Client()
    _author_session(cy, "mine, held")
    own = cy.get(THREAD)
    assert ["first", "mine, held"] == _bodies(own)
    assert "no-store" == own["Cache-Control"]
    assert "ETag" not in own
    public_after = Client().get(THREAD)
    assert ["first"] == _bodies(public_after)
    assert _bodies(public_before) == _bodies(public_after)
    fragment = Client().get("/comments/fragments/threads/post-1").content.decode()
    assert "mine, held" not in fragment


def test_a_moderators_page_is_never_served_to_another(site: None, django_user_model: Any) -> None:
    """Staff read first (held comment, their buttons); a reader after gets the public page."""
    _published("first")
    Client().get(THREAD)  # so the moderator's read would hit a cache if it used one
    get_state().engine.post("post-1", Submission("needs review"), Identity("anonymous", "x", "X"))
    boss = Client()
    boss.force_login(django_user_model.objects.create_user("boss", "", "pw", is_staff=True))
    theirs = boss.get(THREAD)
    assert ["first", "needs review"] == _bodies(theirs)
    assert "no-store" == theirs["Cache-Control"]
    moderator_fragment = boss.get("/comments/fragments/threads/post-1").content.decode()
    assert "needs review" in moderator_fragment
    assert "Approve" in moderator_fragment
    public = Client().get(THREAD)
    assert ["first"] == _bodies(public)
    public_fragment = Client().get("/comments/fragments/threads/post-1").content.decode()
    assert "needs review" not in public_fragment
    assert "Approve" not in public_fragment


def _vote_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def test_the_fragment_gives_each_reader_their_own_csrf_token_and_revalidates(site: None) -> None:
    """One cached fragment, two readers: each gets a token their own cookie accepts; 304 after."""
    _published("first")
    readers = [Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)]
    secrets_seen = set()
    for reader in readers:
        reader.get("/comments/api/me")  # the CSRF cookie, as a page with a form would set
        response = reader.get("/comments/fragments/threads/post-1")
        assert 200 == response.status_code
        assert "private, no-cache" == response["Cache-Control"]
        assert "Accept-Language" in response["Vary"]
        html = response.content.decode()
        assert "\0" not in html
        (token,) = _vote_tokens(html)
        secrets_seen.add(reader.cookies["csrftoken"].value)
        voted = reader.post(
            f"/comments/comments/{_first_id()}/vote", {"csrf_token": token, "value": "1"}
        )
        assert 303 == voted.status_code  # the token in the cached page is this reader's own
        # Voting gave the browser an id: from now on it gets pages of its own.
        mine = reader.get("/comments/fragments/threads/post-1")
        assert "no-store" == mine["Cache-Control"]
    assert 2 == len(secrets_seen)
    fresh = Client()
    fresh.get("/comments/api/me")
    first = fresh.get("/comments/fragments/threads/post-1")
    again = fresh.get("/comments/fragments/threads/post-1", headers={"If-None-Match": _etag(first)})
    assert 304 == again.status_code
    other = Client()
    other.get("/comments/api/me")
    theirs = other.get(
        "/comments/fragments/threads/post-1", headers={"If-None-Match": _etag(first)}
    )
    assert 200 == theirs.status_code  # another session's ETag differs: its token does
    _published("second", name="Bo")
    changed = fresh.get(
        "/comments/fragments/threads/post-1", headers={"If-None-Match": _etag(first)}
    )
    assert 200 == changed.status_code
    assert "second" in changed.content.decode()


def _first_id() -> int:
    comments = get_state().engine.recent(10, thread_key="post-1")
    return min(c.id for c in comments)


def test_the_replies_route_is_cached_and_fresh_after_a_reply(site: None) -> None:
    """GET api/comments/<id>/replies: ETag and 304, then the new reply at once."""
    parent = _published("parent")
    _published("child one", name="Bo", parent=parent)
    reader = Client()
    url = f"/comments/api/comments/{parent}/replies"
    first = reader.get(url)
    assert "public, no-cache" == first["Cache-Control"]
    assert ["child one"] == _bodies(first)
    assert 304 == reader.get(url, headers={"If-None-Match": _etag(first)}).status_code
    _published("child two", name="Cy", parent=parent)
    after = reader.get(url, headers={"If-None-Match": _etag(first)})
    assert ["child one", "child two"] == _bodies(after)


# ---------------------------------------------------------------- two workers, one Redis


def _no_redis(error: Exception) -> str:
    return f"Redis not reachable at {REDIS_URL} ({error}); set THREADKIT_TEST_REDIS_URL"


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A fresh key prefix on the test Redis (its keys deleted after); fails under CI=true."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    require(client.ping, redis.RedisError, _no_redis, cleanup=client.close)
    prefix = f"tk-django-test-{secrets.token_hex(6)}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=prefix + "*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def workers(tmp_path: Path, redis_prefix: str) -> Iterator[list[django_state.DjangoState]]:
    """Two states, as two processes build them: one SQLite file, one Redis, two clients.

    Each worker's Django cache is its own backend object (its own connection pool)
    on the one Redis server, as in two processes.
    """
    url = f"sqlite:///{tmp_path / 'comments.db'}"
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": redis_prefix.rstrip(":"),
        "TIMEOUT": 60,
    }
    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caches |= {"worker-a": redis_cache, "worker-b": dict(redis_cache)}
    built = []
    with override_settings(CACHES=caches):
        for alias in ("worker-a", "worker-b"):
            settings = {
                "STORE": "threadkit_sqlalchemy:SqlCommentStore",
                "STORE_ARGS": [url],
                "ENGINE": "tkdjango_site.engines:plain",
                "CACHE": alias,
            }
            with override_settings(THREADKIT=settings):
                call_command("threadkit", "migrate", verbosity=0)
                built.append(django_state.DjangoState(django_state.read_settings()))
        try:
            yield built
        finally:
            django_state._state = None
            for worker in built:
                worker.close()


def _on(worker: django_state.DjangoState, client: Client, path: str, **options: Any) -> Any:
    """Answer one request on ``worker`` (the process a load balancer picked)."""
    django_state._state = worker
    return client.get(path, **options)


def test_two_workers_share_pages_through_redis(
    workers: list[django_state.DjangoState], redis_prefix: str
) -> None:
    """A page one worker put in Redis is what the other serves: both read the one copy."""
    a, b = workers
    a.engine.post("post-1", Submission("first"), Identity("anonymous", "x", "Ada"), url="/p/")
    filled = _on(a, Client(), THREAD)
    assert ["first"] == _bodies(filled)
    server = redis.Redis.from_url(REDIS_URL)
    (stored,) = server.scan_iter(match=redis_prefix + "*")
    server.close()
    key = stored.decode().split(":", 2)[2]  # Django's KEY_PREFIX:VERSION:key
    assert filled.content == caches["worker-b"].get(key)
    caches["worker-a"].set(key, b'{"marker": "from redis"}')  # only the shared copy has it
    served = _on(b, Client(), THREAD)
    assert b'{"marker": "from redis"}' == served.content
    assert _etag(filled) == _etag(served)


def test_a_write_on_one_worker_is_seen_by_the_other_at_once(
    workers: list[django_state.DjangoState],
) -> None:
    """Worker B posts; worker A's next read (same ETag sent) is the new page, not a 304."""
    a, b = workers
    author = Identity("anonymous", "x", "Ada")
    a.engine.post("post-1", Submission("first"), author, url="/p/")
    reader = Client()
    before = _on(a, reader, THREAD)
    assert 304 == _on(b, reader, THREAD, headers={"If-None-Match": _etag(before)}).status_code
    b.engine.post("post-1", Submission("second"), Identity("anonymous", "y", "Bo"))
    after = _on(a, reader, THREAD, headers={"If-None-Match": _etag(before)})
    assert 200 == after.status_code
    assert ["first", "second"] == _bodies(after)
    assert ["first", "second"] == _bodies(_on(b, Client(), THREAD))


def test_a_cache_that_fails_is_a_miss_not_an_error(tmp_path: Path) -> None:
    """A Django cache on a Redis nobody listens on: every read still answers, uncached."""
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    caches_setting = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings = {**HOLD_ALL, "ENGINE": "tkdjango_site.engines:plain", "CACHE": "down"}
    with override_settings(CACHES={**caches_setting, "down": unreachable}, THREADKIT=settings):
        reset_state()
        try:
            get_state().engine.post("post-1", Submission("still here"), Identity("a", "x", "Ada"))
            for _ in range(2):
                page = Client().get(THREAD)
                assert 200 == page.status_code
                assert ["still here"] == _bodies(page)
        finally:
            reset_state()


def test_the_cache_setting_must_name_a_configured_cache() -> None:
    """THREADKIT["CACHE"] naming no CACHES entry is refused, naming what is known."""
    with override_settings(THREADKIT={**HOLD_ALL, "CACHE": "nope"}):
        reset_state()
        try:
            with pytest.raises(ImproperlyConfigured, match="'nope', which is not in CACHES"):
                get_state()
        finally:
            reset_state()
