"""Sorted lists of ids: the indexes ``MemoryStore`` keeps, and walks without copying."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence

__all__ = ["ascending", "descending", "discard_sorted", "insert_sorted"]


def insert_sorted(items: list[int], item: int) -> None:
    """Insert ``item`` into the sorted list ``items``."""
    bisect.insort(items, item)


def discard_sorted(items: list[int], item: int) -> None:
    """Remove ``item`` from the sorted list ``items`` if it is there."""
    at = bisect.bisect_left(items, item)
    if at < len(items) and items[at] == item:
        del items[at]


def descending(items: list[int], end: int) -> Iterator[int]:
    """Yield ``items[end - 1]``, ``items[end - 2]``, ... ``items[0]``."""
    for at in range(end - 1, -1, -1):
        yield items[at]


def ascending(items: Sequence[int], start: int) -> Iterator[int]:
    """Yield ``items[start:]`` without copying the list."""
    for at in range(start, len(items)):
        yield items[at]
