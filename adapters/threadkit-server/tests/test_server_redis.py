"""``--redis``: the workers of one server share the encoded public pages in Redis, never stale."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from server_support import SITE_A, bearer, make_app, token

from threadkit.testing.servers import require

REDIS_URL = os.environ.get("THREADKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    """A client of the test Redis; skipped when unreachable, failed under ``CI=true``."""
    connection = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    require(
        connection.ping,
        redis.RedisError,
        lambda error: f"Redis not reachable at {REDIS_URL} ({error}); set THREADKIT_TEST_REDIS_URL",
        cleanup=connection.close,
    )
    yield connection
    connection.close()


def workers(db: Path) -> tuple[Flask, Flask]:
    """Two apps over one database and one Redis, as two gunicorn workers would be."""
    return make_app(db, "--redis", REDIS_URL), make_app(db, "--redis", REDIS_URL)


def cached_keys(client: redis.Redis, db: Path) -> list[bytes]:
    """The Redis keys of the server whose database is ``db``."""
    digest = hashlib.sha256(f"sqlite:///{db}".encode()).hexdigest()[:12]
    return sorted(client.scan_iter(match=f"threadkit:{digest}:*", count=500))


def test_workers_share_pages_and_see_every_write(client: redis.Redis, tmp_path: Path) -> None:
    """A page one worker built is served by the other from Redis; a write is seen by both."""
    db = tmp_path / "comments.db"
    first, second = workers(db)
    try:
        # Plain clients, not ``with``: two apps' preserved contexts must not interleave.
        one, two = first.test_client(), second.test_client()
        posted = one.post(
            "/api/threads/post-42/comments",
            json={"body": "first", "name": "Ada"},
            headers=bearer(token(one, SITE_A), SITE_A),
        )
        assert 201 == posted.status_code, posted.get_data(as_text=True)
        page = "/api/threads/post-42"
        built = one.get(page, headers={"Origin": SITE_A})
        assert 1 == len(cached_keys(client, db))
        shared = two.get(page, headers={"Origin": SITE_A})
        assert (built.get_data(), 1) == (shared.get_data(), len(cached_keys(client, db)))
        reply = two.post(
            "/api/threads/post-42/comments",
            json={"body": "second", "name": "Bob"},
            headers=bearer(token(two, SITE_A), SITE_A),
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert 201 == reply.status_code, reply.get_data(as_text=True)
        fresh = one.get(page, headers={"Origin": SITE_A}).get_json()
        assert 2 == len(fresh["comments"])
        assert 2 == len(cached_keys(client, db))
    finally:
        for key in cached_keys(client, db):
            client.delete(key)


def test_a_bad_redis_url_is_a_configuration_error(tmp_path: Path) -> None:
    """``--redis`` with a URL that is not redis:// fails at start and names the option."""
    from threadkit_server.config import ConfigError

    with pytest.raises(ConfigError, match="--redis"):
        make_app(tmp_path / "comments.db", "--redis", "http://127.0.0.1:6379/0")
