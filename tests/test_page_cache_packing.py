"""Issue #12: the in-process page cache packs its least used pages before it drops any.

A reader going page by page through a thread bigger than the cache is a plain
LRU's worst case: every page is dropped just before it is read again. These
tests read such a thread twice and count what the second pass finds.
"""

from __future__ import annotations

import json
import random
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from threadkit.cache import LruPageCache


def _page(number: int, size: int = 20_000) -> bytes:
    """A JSON page of about ``size`` bytes that compresses like real comment pages do."""
    rng = random.Random(number)
    words = ["comment", "reply", "thread", "index", "page", "cache", "ok", "café", "日本語"]
    comments: list[dict[str, int | str]] = []
    length = 0
    while length < size:
        body = " ".join(rng.choice(words) for _ in range(rng.randint(5, 60)))
        comments.append({"id": len(comments) + number * 1000, "body_html": f"<p>{body}</p>"})
        length += len(body) + 120
    return json.dumps({"comments": comments}, ensure_ascii=False).encode()


def _read(cache: LruPageCache, pages: list[bytes]) -> list[bool]:
    """Read every page in order as a server does (a miss builds and sets it); which were hits."""
    found = []
    for number, page in enumerate(pages):
        cached = cache.get(f"p{number}")
        if cached is None:
            cache.set(f"p{number}", page)
        found.append(cached == page)
    return found


def _two_passes(cache: LruPageCache, pages: list[bytes]) -> list[bool]:
    """Read the whole thread twice; return the second read's hits."""
    _read(cache, pages)
    return _read(cache, pages)


def _held(cache: LruPageCache) -> int:
    return sum(len(key) + len(value) for key, value in cache._pages.items())


def test_a_thread_bigger_than_the_cache_is_read_again_from_it() -> None:
    """50 pages, room for about 20 unpacked: the second pass finds all 50, byte for byte."""
    pages = [_page(number) for number in range(50)]
    total = sum(len(page) for page in pages)
    cache = LruPageCache(total * 2 // 5)
    assert all(_two_passes(cache, pages))
    assert cache.packed_hits > 0
    assert (cache.size, True) == (_held(cache), cache.size <= cache.max_bytes)


def test_a_plain_lru_loses_every_page_of_the_same_read() -> None:
    """The same read with packing off: the LRU's worst case, nothing found (why packing)."""
    pages = [_page(number) for number in range(50)]
    cache = LruPageCache(sum(len(page) for page in pages) * 2 // 5, pack=False)
    assert not any(_two_passes(cache, pages))


def test_nothing_is_packed_while_everything_fits() -> None:
    """Below the bound the cache hands back the very bytes it was given."""
    pages = [_page(number) for number in range(10)]
    cache = LruPageCache(10 * sum(len(page) for page in pages))
    for number, page in enumerate(pages):
        cache.set(f"p{number}", page)
    assert all(cache.get(f"p{number}") is page for number, page in enumerate(pages))
    assert 0 == cache.packed_hits


def test_pages_that_do_not_shrink_are_dropped_least_recently_used_first() -> None:
    """Random bytes gain nothing from zlib: the cache falls back to dropping, oldest first."""
    rng = random.Random(3)
    pages = [rng.randbytes(10_000) for _ in range(6)]
    cache = LruPageCache(45_000)
    for number, page in enumerate(pages):
        cache.set(f"p{number}", page)
    kept = [cache.get(f"p{number}") == page for number, page in enumerate(pages)]
    assert [False, False, True, True, True, True] == kept
    assert (0, cache.size) == (cache.packed_hits, _held(cache))


def test_packing_stays_consistent_under_threads() -> None:
    """Eight threads overflowing the cache at once: the byte count equals what is held."""
    pages = [_page(number, 8_000) for number in range(16)]
    cache = LruPageCache(60_000)
    failures: list[str] = []

    def work(n: int) -> None:
        for i in range(150):
            number = (n * 7 + i) % 16
            cache.set(f"p{number}", pages[number])
            found = cache.get(f"p{(number + n) % 16}")
            if found is not None and found != pages[(number + n) % 16]:
                failures.append(f"p{(number + n) % 16}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(8)))  # list(): a worker's exception fails the test
    assert ([], cache.size, True) == (failures, _held(cache), cache.size <= 60_000)


def test_a_page_that_did_not_shrink_is_not_compressed_again(monkeypatch: Any) -> None:
    """A page zlib cannot shrink stays as it is, and later overflows do not try it again."""
    rng = random.Random(5)
    stubborn = rng.randbytes(10_000)
    tried: list[bytes] = []
    compress = zlib.compress

    def counting(data: bytes, level: int = -1) -> bytes:
        tried.append(data)
        return compress(data, level)

    monkeypatch.setattr(zlib, "compress", counting)
    cache = LruPageCache(80_000)  # the pages are about 16 KB, under a quarter of that
    cache.set("stubborn", stubborn)
    for number in range(8):  # p4 overflows first; stubborn stays the oldest page throughout
        cache.set(f"p{number}", _page(number))
    assert 1 == sum(data is stubborn for data in tried)
    assert cache.get("stubborn") == stubborn  # packing the others made room: it was kept
    assert len(tried) > 2  # the later overflows packed other pages
    assert (cache.size, True) == (_held(cache), cache.size <= 80_000)
