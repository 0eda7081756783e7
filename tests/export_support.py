"""Store factories for the export CLI tests: ``--store export_support:source`` and friends."""

from __future__ import annotations

from threadkit.memory import MemoryStore

STORES: dict[str, MemoryStore] = {}


def named(name: str) -> MemoryStore:
    """Return the memory store called ``name``, made on first use (a ``--store`` factory)."""
    return STORES.setdefault(name, MemoryStore())
