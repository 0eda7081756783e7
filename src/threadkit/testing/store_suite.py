"""The conformance suite every :class:`~threadkit.ports.CommentStore` must pass.

Subclass :class:`CommentStoreSuite` in a test module, give it one fixture that
builds a fresh, empty store, and pytest runs the whole contract against it::

    class TestMyStore(CommentStoreSuite):
        @pytest.fixture
        def store(self) -> CommentStore:
            return MyStore(...)

The fixture may ``yield`` the store and clean up after it. Tests are named for
the behaviour they pin (``test_page_newest_orders_top_level_newest_first``), so
a failure says which promise the store broke, never which backend it was. The
suite needs pytest (and nothing else); the threads it creates are named
``t1``, ``t2`` and keys built from :data:`UNICODE_SAMPLES`.

What is pinned beyond the docstrings of the port:

* ``page`` lists descendants depth first (pre-order), siblings oldest first,
  whatever the top-level sort; ``TOP`` sorts by score, then oldest first. A
  top-level comment comes with all its visible descendants or not at all,
  except the first on a page, which is cut at ``total_limit``.
* A reply the reader may see is listed even when its parent is hidden, and a
  hidden top-level comment is listed when it has such replies
  (:class:`~threadkit.testing.counts_suite.ReachableCountSuite`: the thread's
  count is exactly what a reader reaches).
* ``next_cursor`` is ``None`` as soon as nothing is left (also for a page that
  ends exactly at the limit), for ``page``, ``subtree`` and the queue.
* A reply chain 1,000 levels deep pages back whole, each comment once, with
  its true ``parent_id`` and ``depth`` (order below depth 100 is not pinned).
* ``update_comment`` also writes ``context`` (erasure scrubs it) and never
  overwrites votes or ``reply_count`` from a stale copy.
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from threadkit.clock import ManualClock
from threadkit.ports import CommentStore
from threadkit.testing.admin_suite import AdminStoreSuite
from threadkit.testing.capabilities import needed_by
from threadkit.testing.concurrency_suite import ConcurrencySuite
from threadkit.testing.counts_suite import ReachableCountSuite
from threadkit.testing.editing_suite import EditingSuite
from threadkit.testing.listing_suite import ListingSuite
from threadkit.testing.names_suite import VerifiedNamesSuite
from threadkit.testing.outbox_suite import OutboxSuite
from threadkit.testing.paging_suite import PagingSuite
from threadkit.testing.posting_suite import PostingSuite
from threadkit.testing.race_suite import StoreRaceSuite
from threadkit.testing.site_suite import SiteStoreSuite
from threadkit.testing.store_kit import (
    T0,
    Kit,
)
from threadkit.testing.subscription_suite import SubscriptionSuite
from threadkit.testing.suite_support import UNICODE_SAMPLES
from threadkit.testing.text_suite import TextAndTimeSuite
from threadkit.testing.threads_suite import ThreadSuite
from threadkit.testing.version_suite import ThreadVersionSuite
from threadkit.testing.votes_suite import VoteSuite

__all__ = ["UNICODE_SAMPLES", "CommentStoreSuite"]


class CommentStoreSuite(
    ThreadSuite,
    PostingSuite,
    EditingSuite,
    PagingSuite,
    ListingSuite,
    VoteSuite,
    OutboxSuite,
    ConcurrencySuite,
    TextAndTimeSuite,
    AdminStoreSuite,
    ReachableCountSuite,
    StoreRaceSuite,
    VerifiedNamesSuite,
    SiteStoreSuite,
    ThreadVersionSuite,
    SubscriptionSuite,
):
    """The contract of :class:`~threadkit.ports.CommentStore`, as pytest tests.

    Override the ``store`` fixture; everything else is provided. The
    ``store_clock`` and ``store_kit`` fixtures are the suite's own helpers.
    Declare optional capabilities in ``capabilities`` (or override the
    ``store_capabilities`` fixture); tests needing others are skipped.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset()
    """The optional capabilities the store has (:mod:`threadkit.testing.capabilities`)."""

    # ------------------------------------------------------------------ fixtures

    @pytest.fixture
    def store_capabilities(self) -> frozenset[str]:
        """Give the store's optional capabilities: the class's ``capabilities`` by default."""
        return type(self).capabilities

    @pytest.fixture(autouse=True)
    def _store_has_what_the_test_needs(
        self, request: pytest.FixtureRequest, store_capabilities: frozenset[str]
    ) -> None:
        """Skip a test whose optional capabilities the store does not declare, naming them."""
        lacking = needed_by(type(self), request.function.__name__) - store_capabilities
        if lacking:
            pytest.skip(
                f"needs the optional store capability {', '.join(sorted(lacking))},"
                " which this store does not declare (see threadkit.testing.capabilities)"
            )

    @pytest.fixture
    def store(self) -> CommentStore:
        """Build a fresh, empty store; every subclass must override this fixture."""
        raise NotImplementedError(
            "Override the `store` fixture in your CommentStoreSuite subclass to return"
            " a fresh, empty store."
        )

    @pytest.fixture
    def store_clock(self) -> ManualClock:
        """Give each test a clock that starts at the suite's fixed time."""
        return ManualClock(T0)

    @pytest.fixture
    def store_kit(self, store: CommentStore, store_clock: ManualClock) -> Kit:
        """Give each test the suite's write-and-read helpers over ``store``."""
        return Kit(store, store_clock)
