"""The optional store capabilities of each SQL backend, for the conformance suite and markers."""

from __future__ import annotations

from threadkit.testing.capabilities import (
    BULK_LOAD,
    CONCURRENT_WRITERS,
    NETWORK_SERVER,
    SEPARATE_PROCESSES,
    STATEMENT_TIMEOUT,
    SUBSCRIPTIONS,
)

CAPABILITIES: dict[str, frozenset[str]] = {
    "sqlite": frozenset({BULK_LOAD, CONCURRENT_WRITERS, SEPARATE_PROCESSES, SUBSCRIPTIONS}),
    "postgresql": frozenset(
        {BULK_LOAD, CONCURRENT_WRITERS, SEPARATE_PROCESSES, NETWORK_SERVER, STATEMENT_TIMEOUT}
        | {SUBSCRIPTIONS}
    ),
    "mariadb": frozenset(
        {BULK_LOAD, CONCURRENT_WRITERS, SEPARATE_PROCESSES, NETWORK_SERVER, STATEMENT_TIMEOUT}
        | {SUBSCRIPTIONS}
    ),
}
"""What each backend can do (:mod:`threadkit.testing.capabilities`): the one place tests
learn it; a test states the capability it needs, never a backend name."""
