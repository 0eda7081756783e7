"""Conformance: threads: created on first use, kept, filled in, closed and counted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from threadkit.errors import NotFoundError
from threadkit.models import Status
from threadkit.ports import CommentStore
from threadkit.testing.store_kit import T0, Kit

__all__ = ["ThreadSuite"]


class ThreadSuite:
    """Threads: created on first use, kept, filled in, closed and counted."""

    def test_ensure_thread_creates_an_open_empty_thread(self, store: CommentStore) -> None:
        """A new thread is open, has no comments, and keeps key, title, url and time."""
        thread = store.ensure_thread("t1", title="Post", url="https://example.org/p", now=T0)
        expected = ("t1", "Post", "https://example.org/p", T0, False, 0, 0)
        actual = (
            thread.key,
            thread.title,
            thread.url,
            thread.created_at,
            thread.closed,
            thread.comment_count,
            thread.top_level_count,
        )
        assert expected == actual
        assert thread == store.get_thread("t1")

    def test_ensure_thread_keeps_an_existing_thread(self, store: CommentStore) -> None:
        """Ensuring a known thread again changes neither its title, url nor creation time."""
        first = store.ensure_thread("t1", title="Old", url="https://a.example", now=T0)
        again = store.ensure_thread(
            "t1", title="New", url="https://b.example", now=T0 + timedelta(days=1)
        )
        assert first == again
        assert first == store.get_thread("t1")

    def test_ensure_thread_fills_a_missing_title_and_url(self, store: CommentStore) -> None:
        """A thread created without title or url takes them from a later ensure."""
        store.ensure_thread("t1", now=T0)
        thread = store.ensure_thread("t1", title="Post", url="https://example.org/p", now=T0)
        assert ("Post", "https://example.org/p") == (thread.title, thread.url)

    def test_get_thread_of_unknown_key_is_none(self, store: CommentStore) -> None:
        """An unknown thread key reads as None."""
        assert None is store.get_thread("nope")

    def test_set_thread_closed_closes_and_reopens(self, store: CommentStore) -> None:
        """Closing and reopening a thread is stored and returned."""
        store.ensure_thread("t1", now=T0)
        assert True is store.set_thread_closed("t1", True).closed
        assert True is store.get_thread("t1").closed  # type: ignore[union-attr]
        assert False is store.set_thread_closed("t1", False).closed
        assert False is store.get_thread("t1").closed  # type: ignore[union-attr]

    def test_set_thread_closed_of_unknown_thread_raises(self, store: CommentStore) -> None:
        """Closing a thread that does not exist raises NotFoundError."""
        with pytest.raises(NotFoundError):
            store.set_thread_closed("nope", True)

    def test_counts_many_threads_unknown_keys_count_zero(self, store_kit: Kit) -> None:
        """counts() returns approved counts for every key asked, 0 for unknown threads."""
        store_kit.thread("t1")
        store_kit.thread("t2")
        store_kit.thread("t3")
        store_kit.add(thread_key="t1")
        store_kit.add(thread_key="t1", status=Status.PENDING)
        store_kit.add(store_kit.add(thread_key="t2"), thread_key="t2")
        expected = {"t1": 1, "t2": 2, "t3": 0, "unknown": 0}
        assert expected == store_kit.store.counts(["t1", "t2", "t3", "unknown"])
