"""threadkit.cache: page keys and ETags, the in-process LRU bounded by bytes, the off switch."""

from __future__ import annotations

import doctest
import threading

import pytest

import threadkit.cache
from threadkit.cache import LruPageCache, NoPageCache, PageCache, page_key


def test_the_module_examples_run() -> None:
    """The docstring examples of threadkit.cache pass."""
    assert 0 == doctest.testmod(threadkit.cache).failed


def test_a_page_key_changes_with_every_input_and_only_with_them() -> None:
    """Thread, version, variant and each parameter give another key and ETag; order does not."""
    base = page_key("t", 3, "json", {"sort": "oldest", "cursor": None, "limit": 5})
    same = page_key("t", 3, "json", {"limit": 5, "sort": "oldest"})
    others = [
        page_key("u", 3, "json", {"sort": "oldest", "limit": 5}),
        page_key("t", 4, "json", {"sort": "oldest", "limit": 5}),
        page_key("t", 3, "html", {"sort": "oldest", "limit": 5}),
        page_key("t", 3, "json", {"sort": "newest", "limit": 5}),
        page_key("t", 3, "json", {"sort": "oldest", "limit": 6}),
        page_key("t", 3, "json", {"sort": "oldest", "limit": 5, "cursor": "c"}),
    ]
    assert (base, 6, 6) == (
        same,
        len({k.cache_key for k in others} - {base.cache_key}),
        len({k.etag for k in others} - {base.etag}),
    )


def test_a_page_key_is_plain_ascii_whatever_the_thread_key() -> None:
    """Keys and ETags are short ASCII, safe as Redis keys and inside an ETag's quotes."""
    key = page_key('weird "key"\n' + "é" * 300, 1, "json", {})
    assert (True, True, True) == (
        key.cache_key.isascii() and len(key.cache_key) < 80,
        key.etag.isascii() and '"' not in key.etag,
        key.etag.startswith("1-"),
    )


def test_both_caches_follow_the_port() -> None:
    """LruPageCache and NoPageCache are PageCaches."""
    assert (True, True) == (
        isinstance(LruPageCache(), PageCache),
        isinstance(NoPageCache(), PageCache),
    )


def test_the_lru_gives_back_what_it_kept_and_counts_hits() -> None:
    """A get returns the bytes set under the key, None for others; hits and misses are counted."""
    cache = LruPageCache(1_000)
    cache.set("a", b"page a")
    assert (b"page a", None, 1, 1) == (cache.get("a"), cache.get("b"), cache.hits, cache.misses)


def test_the_lru_stays_within_its_bytes_dropping_the_least_recently_used() -> None:
    """Over its bound it drops the page read longest ago, never the one just read."""
    cache = LruPageCache(100)
    cache.set("a", b"x" * 20)  # each entry costs 21 bytes
    cache.set("b", b"x" * 20)
    cache.set("c", b"x" * 20)
    cache.set("d", b"x" * 20)
    cache.get("a")  # a is now the most recently used
    cache.set("e", b"x" * 20)  # 105 bytes: one must go, and it is b
    assert ([True, False, True, True, True], 84) == (
        [cache.get(k) is not None for k in "abcde"],
        cache.size,
    )


def test_the_lru_does_not_keep_a_page_bigger_than_a_quarter_of_it() -> None:
    """One huge page is served but not kept, so it cannot flush every other page."""
    cache = LruPageCache(100)
    cache.set("small", b"x")
    cache.set("huge", b"x" * 30)
    assert (None, b"x") == (cache.get("huge"), cache.get("small"))


def test_the_lru_replacing_a_key_counts_its_bytes_once() -> None:
    """Setting a key again replaces the page and its size."""
    cache = LruPageCache(1_000)
    cache.set("a", b"x" * 10)
    cache.set("a", b"y" * 5)
    assert (b"yyyyy", 6, 1) == (cache.get("a"), cache.size, len(cache))


def test_the_lru_refuses_a_bound_below_one() -> None:
    """A cache of no bytes is a mistake: ValueError names the argument."""
    with pytest.raises(ValueError, match="max_bytes"):
        LruPageCache(0)


def test_the_lru_stays_consistent_under_threads() -> None:
    """Eight threads setting and getting at once leave the byte count equal to what is held."""
    cache = LruPageCache(5_000)

    def work(n: int) -> None:
        for i in range(500):
            cache.set(f"{n}-{i % 40}", b"x" * (i % 50))
            cache.get(f"{(n + 1) % 8}-{i % 40}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    held = sum(len(k) + len(v) for k, v in cache._pages.items())
    assert (held, True) == (cache.size, cache.size <= 5_000)


def test_no_page_cache_keeps_nothing() -> None:
    """NoPageCache answers every get with None, whatever was set."""
    cache = NoPageCache()
    cache.set("a", b"page")
    assert cache.get("a") is None
