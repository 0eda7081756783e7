"""Conformance tests select by the optional capabilities a store declares, not by backend."""

from __future__ import annotations

import pytest

from threadkit.testing import CommentStoreSuite
from threadkit.testing.capabilities import BULK_LOAD, CONCURRENT_WRITERS, needed_by, requires


def test_parallel_writer_tests_need_concurrent_writers() -> None:
    """A topic suite's required_capabilities apply to each of its tests."""
    assert frozenset({CONCURRENT_WRITERS}) == needed_by(
        CommentStoreSuite, "test_parallel_posts_lose_nothing"
    )


def test_site_store_tests_need_bulk_load() -> None:
    """The SiteStore suite's tests run only on a store that declares bulk_load."""
    assert frozenset({BULK_LOAD}) == needed_by(
        CommentStoreSuite, "test_site_store_iterators_list_every_thread_comment_and_vote"
    )


def test_core_contract_tests_need_nothing_optional() -> None:
    """Posting, paging and the rest bind every store: they need no capability."""
    assert frozenset() == needed_by(CommentStoreSuite, "test_page_respects_top_limit")


def test_one_test_can_require_a_capability() -> None:
    """requires() marks a single test; needed_by finds the mark."""

    class Suite:
        @requires(BULK_LOAD)
        def test_x(self) -> None:
            """Needs bulk loading."""

    assert frozenset({BULK_LOAD}) == needed_by(Suite, "test_x")


def test_an_unknown_capability_is_refused_by_name() -> None:
    """A misspelt capability fails at import time instead of silently skipping."""
    with pytest.raises(ValueError, match="unknown store capability 'bulkload'"):
        requires("bulkload")


def test_a_store_declares_nothing_optional_by_default() -> None:
    """A new store's suite subclass runs only the core contract until it declares more."""
    assert frozenset() == CommentStoreSuite.capabilities
