"""Index items by a key that must be unique: one rule for every table the core builds."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["index_unique"]

T = TypeVar("T")


def index_unique(
    items: Iterable[T], key: Callable[[T], str], clash: Callable[[str], str]
) -> dict[str, T]:
    """Return ``items`` by ``key``; a key met twice raises ``ValueError(clash(key))``."""
    found: dict[str, T] = {}
    for item in items:
        name = key(item)
        if name in found:
            raise ValueError(clash(name))
        found[name] = item
    return found
