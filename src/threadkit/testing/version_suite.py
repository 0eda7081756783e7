"""Conformance: ``Thread.version``, the key every cache of encoded pages relies on.

Every write that changes what a page of a thread shows raises that thread's
``version`` in the same transaction as the write, so a reader that reads the
version after the write was acknowledged never gets the page cached before it.
Reads never raise it (a cache that missed on every read would be no cache), and
a write to one thread leaves the others' versions alone.

:class:`CommentStoreSuite` includes this suite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import attrs
import pytest

from threadkit.cache import ThreadVersions
from threadkit.clock import ManualClock
from threadkit.models import Comment, SortOrder, Status, Visibility
from threadkit.ports import CommentStore
from threadkit.testing.store_kit import Kit

__all__ = ["ThreadVersionSuite"]

_T0 = datetime(2026, 1, 1, tzinfo=UTC)

_Write = Callable[[Kit, Comment, Comment], object]
"""One kind of write, given the kit, a top-level comment and its (leaf) reply."""


def _edit(kit: Kit, comment: Comment, leaf: Comment) -> object:
    current = kit.get(comment)
    changed = attrs.evolve(current, body_source="Edited", body_html="<p>Edited</p>")
    return kit.store.update_comment(changed, now=kit.clock.tick())


def _erase_votes(kit: Kit, comment: Comment, leaf: Comment) -> object:
    return kit.store.erase_votes("anonymous:voter")


_WRITES: dict[str, _Write] = {
    "post": lambda kit, comment, leaf: kit.add(thread_key="v1"),
    "reply": lambda kit, comment, leaf: kit.add(comment, thread_key="v1"),
    "post_pending": lambda kit, comment, leaf: kit.add(thread_key="v1", status=Status.PENDING),
    "edit": _edit,
    "moderate": lambda kit, comment, leaf: kit.set_status(comment, Status.SPAM),
    "delete_placeholder": lambda kit, comment, leaf: kit.set_status(comment, Status.DELETED),
    "remove": lambda kit, comment, leaf: kit.store.remove_comment(leaf.id),
    "vote": lambda kit, comment, leaf: kit.store.vote(comment.id, "anonymous:new", 1),
    "close": lambda kit, comment, leaf: kit.store.set_thread_closed("v1", True),
    "erase_votes": _erase_votes,
    "name_thread": lambda kit, comment, leaf: kit.thread("v1", title="Now with a title"),
}


class ThreadVersionSuite:
    """Every kind of write raises the thread's version; reads and other threads' writes don't."""

    def _setup(self, store: CommentStore) -> tuple[Kit, Comment, Comment]:
        kit = Kit(store, ManualClock(_T0))
        kit.thread("v1")
        kit.thread("other")
        first = kit.add(thread_key="v1")
        leaf = kit.add(first, thread_key="v1")
        store.vote(leaf.id, "anonymous:voter", -1)
        return kit, first, leaf

    @staticmethod
    def _versions(store: CommentStore) -> tuple[int, int]:
        mine, other = store.get_thread("v1"), store.get_thread("other")
        assert mine is not None
        assert other is not None
        return mine.version, other.version

    @pytest.mark.parametrize("write", sorted(_WRITES))
    def test_every_kind_of_write_raises_the_version_of_its_thread_only(
        self, store: CommentStore, write: str
    ) -> None:
        """After each kind of write, the thread's version is higher and the other thread's equal."""
        kit, first, leaf = self._setup(store)
        mine, other = self._versions(store)
        _WRITES[write](kit, first, leaf)
        after_mine, after_other = self._versions(store)
        assert (True, other) == (after_mine > mine, after_other)

    def test_a_vote_changed_and_withdrawn_raises_the_version_each_time(
        self, store: CommentStore
    ) -> None:
        """Up, then down, then withdrawn: three versions, each higher than the last."""
        kit, first, _ = self._setup(store)
        seen = [self._versions(store)[0]]
        for value in (1, -1, 0):
            kit.store.vote(first.id, "anonymous:flip", value)
            seen.append(self._versions(store)[0])
        assert sorted(set(seen)) == seen

    def test_reopening_a_thread_raises_the_version(self, store: CommentStore) -> None:
        """Closing and reopening both change what the page shows, so both raise it."""
        self._setup(store)
        closed = store.set_thread_closed("v1", True).version
        reopened = store.set_thread_closed("v1", False).version
        assert (True, reopened) == (reopened > closed, self._versions(store)[0])

    def test_thread_version_answers_what_get_thread_says(self, store: CommentStore) -> None:
        """A store with ``thread_version`` gives the thread's version, and None for no thread."""
        if not isinstance(store, ThreadVersions):
            pytest.skip("this store does not offer thread_version (optional)")
        _, first, _ = self._setup(store)
        store.vote(first.id, "anonymous:again", 1)
        assert (self._versions(store)[0], None) == (
            store.thread_version("v1"),
            store.thread_version("no-such-thread"),
        )

    def test_reads_do_not_change_the_version(self, store: CommentStore) -> None:
        """Pages, subtrees, counts, comments, recent, queue and votes read leave it alone."""
        _, first, _ = self._setup(store)
        before = self._versions(store)
        store.page(
            "v1", sort=SortOrder.OLDEST, visibility=Visibility(), top_limit=5, total_limit=50
        )
        store.subtree(first.id, visibility=Visibility(), total_limit=50)
        store.counts(["v1", "other"])
        store.get_comment(first.id)
        store.child_count(first.id)
        store.recent(5, "v1")
        store.moderation_queue((Status.PENDING,), limit=5)
        store.votes_by("anonymous:nobody")
        store.has_duplicate("v1", first.author.key, "Hello")
        store.ensure_thread("v1", now=_T0)  # already there, nothing new: a read
        assert before == self._versions(store)
