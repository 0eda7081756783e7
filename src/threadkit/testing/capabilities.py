"""Optional capabilities of a comment store, so conformance tests select by what a store can do.

Every store must pass the core of :class:`threadkit.testing.CommentStoreSuite`.
Some promises are optional; a store declares the ones it keeps in its suite
subclass, and the tests that need a capability it does not declare are
skipped with a reason that names it (never silently)::

    class TestMyStore(CommentStoreSuite):
        capabilities = frozenset({BULK_LOAD, CONCURRENT_WRITERS})

        @pytest.fixture
        def store(self) -> CommentStore:
            return MyStore()

A store whose capabilities depend on a parameter (e.g. its database)
overrides the ``store_capabilities`` fixture instead. A suite (or one test)
states what it needs with :func:`requires`, or, for a whole suite class, a
``required_capabilities`` class attribute.

>>> sorted(KNOWN)[:2]
['bulk_load', 'concurrent_writers']
>>> requires("teleport")  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
ValueError: unknown store capability 'teleport'; known: bulk_load, ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "BULK_LOAD",
    "CONCURRENT_WRITERS",
    "KNOWN",
    "NETWORK_SERVER",
    "SEPARATE_PROCESSES",
    "STATEMENT_TIMEOUT",
    "SUBSCRIPTIONS",
    "needed_by",
    "requires",
]

F = TypeVar("F", bound=Callable[..., Any])

BULK_LOAD = "bulk_load"
"""The :class:`~threadkit.ports.SiteStore` methods: whole threads and votes in and out."""

CONCURRENT_WRITERS = "concurrent_writers"
"""One store object may be written from many threads at once (each write atomic)."""

SEPARATE_PROCESSES = "separate_processes"
"""Several processes (e.g. gunicorn workers) share one store and see each other's writes."""

NETWORK_SERVER = "network_server"
"""The data lives on a server reached over TCP, whose connection can drop mid-call."""

STATEMENT_TIMEOUT = "statement_timeout"
"""The server itself stops a statement that runs past the store's ``statement_timeout``."""

SUBSCRIPTIONS = "subscriptions"
"""Thread subscriptions (:class:`~threadkit.subscriptions.SubscriptionStore`), kept by writes."""

KNOWN = frozenset(
    {
        BULK_LOAD,
        CONCURRENT_WRITERS,
        SEPARATE_PROCESSES,
        NETWORK_SERVER,
        STATEMENT_TIMEOUT,
        SUBSCRIPTIONS,
    }
)


def requires(*names: str) -> Callable[[F], F]:
    """Mark one test as needing ``names``; it is skipped on a store that lacks one."""
    for name in names:
        if name not in KNOWN:
            raise ValueError(
                f"unknown store capability {name!r}; known: {', '.join(sorted(KNOWN))}"
            )

    def mark(test: F) -> F:
        test.required_capabilities = frozenset(names)  # type: ignore[attr-defined]
        return test

    return mark


def needed_by(suite: type, test_name: str) -> frozenset[str]:
    """Return what the test ``test_name`` of ``suite`` needs: its own marks and its class's.

    The class is the one in ``suite``'s MRO that defines the test, so a
    mixed-in topic suite's ``required_capabilities`` applies to its tests only.
    """
    for klass in suite.__mro__:
        test = vars(klass).get(test_name)
        if test is not None:
            own: frozenset[str] = getattr(test, "required_capabilities", frozenset())
            suite_wide: frozenset[str] = vars(klass).get("required_capabilities", frozenset())
            return own | suite_wide
    return frozenset()
