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

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from threadkit.clock import ManualClock
from threadkit.errors import ConflictError, InvalidParentError, NotFoundError
from threadkit.models import (
    Comment,
    EventKind,
    Identity,
    NewComment,
    Notice,
    Reason,
    RequestContext,
    SortOrder,
    Status,
    Visibility,
)
from threadkit.ports import CommentStore
from threadkit.testing.counts_suite import ReachableCountSuite
from threadkit.testing.names_suite import VerifiedNamesSuite
from threadkit.testing.race_suite import StoreRaceSuite
from threadkit.testing.site_suite import SiteStoreSuite
from threadkit.testing.store_kit import (
    ADA,
    BOB,
    CY,
    EVERYONE,
    MODERATOR,
    T0,
    Kit,
    assert_parents_first,
    preorder,
)
from threadkit.testing.version_suite import ThreadVersionSuite

__all__ = ["UNICODE_SAMPLES", "CommentStoreSuite"]

#: Text every store must keep byte for byte: 4-byte emoji, ZWJ sequence, flag,
#: CJK, Thai, Arabic (RTL), combining marks (not normalized), U+2028 / U+2029
#: and line endings, and a mix of all of them.
UNICODE_SAMPLES: list[str] = [
    "\U0001f642",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f1fa\U0001f1e6\U0001f1ef\U0001f1f5",
    "漢字かなカナ한국어",
    "ภาษาไทยง่ายนิดเดียว",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "e\u0301 n\u0303 a\u0308\u0304 Z\u0324\u0354\u0367\u0311",
    "line\u2028separator\u2029paragraph\r\nCRLF\ttab",
    "Hi \U0001f642 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"
    " 漢字 e\u0301 \U0001f44d\U0001f3fd!",
]

_SAMPLE_IDS = ["emoji", "zwj", "flags", "cjk", "thai", "arabic", "combining", "separators", "mixed"]

_ALL_PAIRS = [(old, new) for old in Status for new in Status if old is not new]


def _approved(status: Status) -> int:
    """Return 1 if a comment in ``status`` counts in the thread's counters."""
    return int(status is Status.APPROVED)


def _counted_reply(status: Status) -> int:
    """Return 1 if a reply in ``status`` counts in its parent's ``reply_count``."""
    return int(status in (Status.APPROVED, Status.DELETED))


def _in_parallel(workers: int, work: Callable[[int], None]) -> None:
    """Run ``work(0)`` ... ``work(workers - 1)`` in threads released together; re-raise."""
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


class CommentStoreSuite(
    ReachableCountSuite, StoreRaceSuite, VerifiedNamesSuite, SiteStoreSuite, ThreadVersionSuite
):
    """The contract of :class:`~threadkit.ports.CommentStore`, as pytest tests.

    Override the ``store`` fixture; everything else is provided. The
    ``store_clock`` and ``store_kit`` fixtures are the suite's own helpers.
    """

    # ------------------------------------------------------------------ fixtures

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

    # ------------------------------------------------------------------ threads

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

    # ------------------------------------------------------------------ adding

    def test_add_top_level_comment_stores_every_field(self, store_kit: Kit) -> None:
        """A top-level comment is its own root at depth 0 and keeps what was given."""
        store_kit.thread()
        draft = NewComment(
            thread_key="t1",
            parent_id=None,
            author=CY,
            body_source="*Hi*",
            body_html="<p><em>Hi</em></p>",
            status=Status.PENDING,
            created_at=T0,
            reasons=(Reason("links", "too_many_links", "Three links."),),
            context=RequestContext("198.51.100.7", "Firefox", "https://ref.example", "de"),
            notify_replies=True,
        )
        comment = store_kit.store.add_comment(draft)
        expected = Comment(
            id=comment.id,
            thread_key="t1",
            parent_id=None,
            root_id=comment.id,
            depth=0,
            author=CY,
            body_source="*Hi*",
            body_html="<p><em>Hi</em></p>",
            status=Status.PENDING,
            created_at=T0,
            reasons=draft.reasons,
            context=draft.context,
            notify_replies=True,
        )
        assert expected == comment
        assert expected == store_kit.store.get_comment(comment.id)

    def test_ids_are_positive_and_grow_with_creation_order(self, store_kit: Kit) -> None:
        """Each new comment gets a positive id larger than every earlier one."""
        store_kit.thread("t1")
        store_kit.thread("t2")
        last = store_kit.add()
        ids = [last.id]
        for index in range(12):
            last = store_kit.add(last if index % 3 else None)
            ids.append(last.id)
            ids.append(store_kit.add(thread_key="t2", status=Status.SPAM).id)
        assert ids == sorted(set(ids))
        assert 0 < ids[0]

    def test_reply_takes_root_and_depth_from_its_parent(self, store_kit: Kit) -> None:
        """A reply's root is its top-level ancestor and its depth is its parent's plus one."""
        store_kit.thread()
        top = store_kit.add()
        child = store_kit.add(top)
        grandchild = store_kit.add(child)
        expected = [(top.id, top.id, 1), (child.id, top.id, 2)]
        actual = [
            (child.parent_id, child.root_id, child.depth),
            (grandchild.parent_id, grandchild.root_id, grandchild.depth),
        ]
        assert expected == actual

    def test_add_reply_to_missing_parent_raises_invalid_parent(self, store_kit: Kit) -> None:
        """Replying to a comment id that does not exist raises InvalidParentError."""
        store_kit.thread()
        with pytest.raises(InvalidParentError) as caught:
            store_kit.add(9_999_999)
        assert ("invalid_parent", "parent_id") == (caught.value.code, caught.value.field)
        assert (0, 0) == store_kit.count()

    def test_add_reply_to_parent_in_other_thread_raises_invalid_parent(
        self, store_kit: Kit
    ) -> None:
        """Replying across threads raises InvalidParentError and stores nothing."""
        store_kit.thread("t1")
        store_kit.thread("t2")
        other = store_kit.add(thread_key="t2")
        with pytest.raises(InvalidParentError) as caught:
            store_kit.add(other, thread_key="t1")
        assert ("invalid_parent", "parent_id") == (caught.value.code, caught.value.field)
        assert (0, 0) == store_kit.count("t1")
        assert 0 == store_kit.store.child_count(other.id)

    def test_add_to_unknown_thread_raises_not_found(self, store_kit: Kit) -> None:
        """Adding a comment to a thread that does not exist raises NotFoundError."""
        with pytest.raises(NotFoundError):
            store_kit.add(thread_key="nope")

    def test_get_comment_of_unknown_id_is_none(self, store: CommentStore) -> None:
        """An unknown comment id reads as None."""
        assert None is store.get_comment(424242)

    def test_child_count_counts_direct_replies_in_any_status(self, store_kit: Kit) -> None:
        """child_count counts direct replies of every status, not deeper ones."""
        store_kit.thread()
        top = store_kit.add()
        for status in Status:
            reply = store_kit.add(top, status=status)
        store_kit.add(reply)
        assert 4 == store_kit.store.child_count(top.id)

    # ------------------------------------------------------------------ counters

    def test_approved_top_level_comment_counts_in_thread(self, store_kit: Kit) -> None:
        """An approved top-level comment adds one to both thread counters."""
        store_kit.thread()
        store_kit.add()
        assert (1, 1) == store_kit.count()

    def test_approved_reply_counts_in_thread_and_parent(self, store_kit: Kit) -> None:
        """An approved reply adds to comment_count and its parent's reply_count only."""
        store_kit.thread()
        top = store_kit.add()
        store_kit.add(top)
        store_kit.add(top)
        assert (3, 1) == store_kit.count()
        assert 2 == store_kit.get(top).reply_count

    @pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM])
    def test_hidden_comments_count_nowhere(self, store_kit: Kit, status: Status) -> None:
        """Pending and spam comments change no counter."""
        store_kit.thread()
        top = store_kit.add()
        store_kit.add(status=status)
        store_kit.add(top, status=status)
        assert (1, 1) == store_kit.count()
        assert 0 == store_kit.get(top).reply_count

    def test_deleted_placeholder_counts_only_for_its_parent(self, store_kit: Kit) -> None:
        """A DELETED placeholder counts in its parent's reply_count, not in the thread."""
        store_kit.thread()
        top = store_kit.add()
        store_kit.add(top, status=Status.DELETED)
        store_kit.add(status=Status.DELETED)
        assert (1, 1) == store_kit.count()
        assert 1 == store_kit.get(top).reply_count

    @pytest.mark.parametrize(
        ("old", "new"), _ALL_PAIRS, ids=[f"{o.value}-{n.value}" for o, n in _ALL_PAIRS]
    )
    def test_status_change_moves_all_three_counters(
        self, store_kit: Kit, old: Status, new: Status
    ) -> None:
        """Every status transition keeps comment_count, top_level_count and reply_count exact."""
        store_kit.thread()
        parent = store_kit.add()
        reply = store_kit.add(parent, status=old)
        top = store_kit.add(status=old)
        before = (1 + 2 * _approved(old), 1 + _approved(old), _counted_reply(old))
        assert before == (*store_kit.count(), store_kit.get(parent).reply_count)
        store_kit.set_status(reply, new)
        store_kit.set_status(top, new)
        after = (1 + 2 * _approved(new), 1 + _approved(new), _counted_reply(new))
        assert after == (*store_kit.count(), store_kit.get(parent).reply_count)
        assert (new, new) == (store_kit.get(reply).status, store_kit.get(top).status)

    def test_update_with_same_status_keeps_counters(self, store_kit: Kit) -> None:
        """Rewriting a comment without a status change leaves every counter alone."""
        store_kit.thread()
        top = store_kit.add()
        reply = store_kit.add(top)
        store_kit.store.update_comment(
            attrs.evolve(reply, body_source="edited"), now=store_kit.clock.tick()
        )
        assert (2, 1, 1) == (*store_kit.count(), store_kit.get(top).reply_count)

    # ------------------------------------------------------------------ updating

    def test_update_writes_every_mutable_field(self, store_kit: Kit) -> None:
        """update_comment stores author, bodies, status, edited_at, reasons, context, notify."""
        store_kit.thread()
        comment = store_kit.add()
        edited = store_kit.clock.tick()
        changed = attrs.evolve(
            comment,
            author=BOB,
            body_source="new",
            body_html="<p>new</p>",
            status=Status.SPAM,
            edited_at=edited,
            reasons=(Reason("kw", "spam_word", "Matched a word."),),
            context=RequestContext(),
            notify_replies=True,
        )
        result = store_kit.store.update_comment(changed, now=edited)
        assert changed == result
        assert changed == store_kit.get(comment)

    def test_update_keeps_immutable_fields_and_votes(self, store_kit: Kit) -> None:
        """A stale copy never overwrites ids, times, votes or reply_count."""
        store_kit.thread()
        comment = store_kit.add()
        store_kit.store.vote(comment.id, "voter", 1)
        store_kit.add(comment)
        stale = attrs.evolve(
            comment,
            body_source="edited",
            upvotes=0,
            reply_count=0,
            depth=7,
            created_at=T0 - timedelta(days=9),
        )
        result = store_kit.store.update_comment(stale, now=store_kit.clock.tick())
        expected = (comment.created_at, 0, 1, 1, "edited")
        actual = (result.created_at, result.depth, result.upvotes, result.reply_count)
        assert expected == (*actual, result.body_source)
        assert result == store_kit.get(comment)

    def test_update_moves_the_comment_to_its_new_author_and_ip(self, store_kit: Kit) -> None:
        """After an author or context change (erasure), history queries follow the new values."""
        store_kit.thread()
        comment = store_kit.add(ip="203.0.113.5", body="mine")
        erased = Identity("deleted", "", "")
        store_kit.store.update_comment(
            attrs.evolve(comment, author=erased, context=RequestContext()),
            now=store_kit.clock.tick(),
        )
        store = store_kit.store
        expected: tuple[list[int], list[int], datetime | None, bool, bool]
        expected = ([], [comment.id], None, False, False)
        actual = (
            [c.id for c in store.comments_by_author(ADA.key)],
            [c.id for c in store.comments_by_author(erased.key)],
            store.latest_comment_at(ip="203.0.113.5"),
            store.has_duplicate("t1", ADA.key, "mine"),
            store.has_approved_comment(ADA.key),
        )
        assert expected == actual

    def test_update_of_unknown_comment_raises_not_found(self, store_kit: Kit) -> None:
        """Updating a comment that is not stored raises NotFoundError."""
        store_kit.thread()
        comment = store_kit.add()
        with pytest.raises(NotFoundError):
            store_kit.store.update_comment(attrs.evolve(comment, id=999_999), now=T0)

    # ------------------------------------------------------------------ removing

    def test_remove_leaf_forgets_it_and_its_counts(self, store_kit: Kit) -> None:
        """Removing an approved reply takes it out of the counters and the store."""
        store_kit.thread()
        top = store_kit.add()
        reply = store_kit.add(top)
        store_kit.store.remove_comment(reply.id)
        assert None is store_kit.store.get_comment(reply.id)
        assert (1, 1, 0, 0) == (
            *store_kit.count(),
            store_kit.get(top).reply_count,
            store_kit.store.child_count(top.id),
        )
        assert [top.id] == store_kit.ids()

    def test_remove_top_level_comment_updates_thread_counts(self, store_kit: Kit) -> None:
        """Removing an approved top-level comment takes it out of both thread counters."""
        store_kit.thread()
        keep = store_kit.add()
        gone = store_kit.add()
        store_kit.store.remove_comment(gone.id)
        assert (1, 1) == store_kit.count()
        assert [keep.id] == store_kit.ids()

    @pytest.mark.parametrize("status", list(Status), ids=[s.value for s in Status])
    def test_remove_comment_with_a_reply_raises_conflict(
        self, store_kit: Kit, status: Status
    ) -> None:
        """A comment with a reply in any status cannot be removed and stays intact."""
        store_kit.thread()
        top = store_kit.add()
        store_kit.add(top, status=status)
        before = store_kit.get(top)
        with pytest.raises(ConflictError) as caught:
            store_kit.store.remove_comment(top.id)
        assert "has_replies" == caught.value.code
        assert before == store_kit.get(top)

    def test_remove_unknown_comment_raises_not_found(self, store: CommentStore) -> None:
        """Removing a comment that does not exist raises NotFoundError."""
        with pytest.raises(NotFoundError):
            store.remove_comment(31337)

    def test_remove_last_reply_then_its_parent(self, store_kit: Kit) -> None:
        """Once its last reply is removed, a placeholder parent can be removed too."""
        store_kit.thread()
        top = store_kit.add()
        placeholder = store_kit.set_status(top, Status.DELETED)
        reply = store_kit.add(placeholder)
        store_kit.store.remove_comment(reply.id)
        store_kit.store.remove_comment(top.id)
        assert (None, (0, 0)) == (store_kit.store.get_comment(top.id), store_kit.count())

    def test_remove_takes_the_comments_votes(self, store_kit: Kit) -> None:
        """Votes on a removed comment disappear from votes_by."""
        store_kit.thread()
        kept = store_kit.add()
        gone = store_kit.add()
        store_kit.store.vote(kept.id, "voter", 1)
        store_kit.store.vote(gone.id, "voter", -1)
        store_kit.store.remove_comment(gone.id)
        assert {kept.id: 1} == store_kit.store.votes_by("voter")

    # ------------------------------------------------------------------ pages

    def _sample_thread(self, kit: Kit) -> dict[str, Comment]:
        """Build a: a1 (a11), a2; b: b1; c, with votes b +2, c +2, a -1."""
        kit.thread()
        c: dict[str, Comment] = {}
        c["a"] = kit.add()
        c["a1"] = kit.add(c["a"])
        c["b"] = kit.add()
        c["a2"] = kit.add(c["a"])
        c["b1"] = kit.add(c["b"])
        c["c"] = kit.add()
        c["a11"] = kit.add(c["a1"])
        for voter in ("v1", "v2"):
            kit.store.vote(c["b"].id, voter, 1)
            kit.store.vote(c["c"].id, voter, 1)
        kit.store.vote(c["a"].id, "v1", -1)
        return c

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            (SortOrder.OLDEST, ["a", "a1", "a11", "a2", "b", "b1", "c"]),
            (SortOrder.NEWEST, ["c", "b", "b1", "a", "a1", "a11", "a2"]),
            (SortOrder.TOP, ["b", "b1", "c", "a", "a1", "a11", "a2"]),
        ],
        ids=["oldest", "newest", "top"],
    )
    def test_page_orders_top_level_by_sort_and_replies_depth_first(
        self, store_kit: Kit, sort: SortOrder, expected: list[str]
    ) -> None:
        """Top level follows the sort (TOP: score, then oldest); replies go depth first."""
        c = self._sample_thread(store_kit)
        assert [c[name].id for name in expected] == store_kit.ids(sort=sort)

    @pytest.mark.parametrize("sort", list(SortOrder), ids=[s.value for s in SortOrder])
    def test_page_cursor_walk_follows_the_sort_one_top_level_at_a_time(
        self, store_kit: Kit, sort: SortOrder
    ) -> None:
        """With top_limit=1 each page holds one top-level comment and the cursors end."""
        c = self._sample_thread(store_kit)
        pages = store_kit.pages(sort=sort, top_limit=1)
        tops = [[x.id for x in rows.comments if x.parent_id is None] for rows in pages]
        expected = {
            SortOrder.OLDEST: ["a", "b", "c"],
            SortOrder.NEWEST: ["c", "b", "a"],
            SortOrder.TOP: ["b", "c", "a"],
        }[sort]
        assert [[c[name].id] for name in expected] == tops

    @pytest.mark.parametrize("sort", list(SortOrder), ids=[s.value for s in SortOrder])
    @pytest.mark.parametrize(
        "visibility",
        [EVERYONE, Visibility(viewer_key=ADA.key), MODERATOR],
        ids=["everyone", "author", "moderator"],
    )
    def test_page_walk_lists_every_visible_comment_once(
        self, store_kit: Kit, sort: SortOrder, visibility: Visibility
    ) -> None:
        """Following cursors lists every visible comment exactly once, parents first."""
        store_kit.thread()
        added = store_kit.random_thread(120, seed=20260301)
        for index, top in enumerate(c for c in added if c.parent_id is None):
            for voter in range(index % 4):
                store_kit.store.vote(top.id, f"voter-{voter}", 1 if index % 3 else -1)
        current = [store_kit.get(c) for c in added]
        top_order = sorted((c for c in current if c.parent_id is None), key=lambda c: c.id)
        if sort is SortOrder.NEWEST:
            top_order.reverse()
        elif sort is SortOrder.TOP:
            top_order.sort(key=lambda c: (-c.score, c.id))
        expected = preorder(current, visibility, top_order)
        pages = store_kit.pages(sort=sort, visibility=visibility, top_limit=3)
        listed = [c for rows in pages for c in rows.comments]
        assert expected == [c.id for c in listed]
        assert_parents_first(listed)

    def test_page_respects_top_limit(self, store_kit: Kit) -> None:
        """No page holds more than top_limit top-level comments."""
        store_kit.thread()
        for _ in range(5):
            store_kit.add(store_kit.add())
        pages = store_kit.pages(top_limit=2)
        sizes = [sum(c.parent_id is None for c in rows.comments) for rows in pages]
        assert [2, 2, 1] == sizes

    def test_page_ending_exactly_at_top_limit_has_no_cursor(self, store_kit: Kit) -> None:
        """When the last top-level comment fills the page, next_cursor is None."""
        store_kit.thread()
        first = store_kit.add()
        second = store_kit.add()
        rows = store_kit.store.page(
            "t1", sort=SortOrder.OLDEST, visibility=EVERYONE, top_limit=2, total_limit=10
        )
        assert ([first.id, second.id], None) == ([c.id for c in rows.comments], rows.next_cursor)

    def test_page_stops_before_a_subtree_that_does_not_fit(self, store_kit: Kit) -> None:
        """A top-level comment whose replies would pass total_limit waits for the next page."""
        store_kit.thread()
        a = store_kit.add()
        a_replies = [store_kit.add(a).id, store_kit.add(a).id]
        b = store_kit.add()
        b_replies = [store_kit.add(b).id, store_kit.add(b).id]
        c = store_kit.add()
        pages = store_kit.pages(top_limit=10, total_limit=5)
        expected = [[a.id, *a_replies], [b.id, *b_replies, c.id]]
        assert expected == [[x.id for x in rows.comments] for rows in pages]

    def test_page_cuts_a_first_subtree_larger_than_total_limit(self, store_kit: Kit) -> None:
        """A first subtree over total_limit is cut there; the cursor moves past it."""
        store_kit.thread()
        a = store_kit.add()
        replies = [store_kit.add(a).id for _ in range(4)]
        b = store_kit.add()
        rows = store_kit.store.page(
            "t1", sort=SortOrder.OLDEST, visibility=EVERYONE, top_limit=5, total_limit=3
        )
        assert [a.id, *replies[:2]] == [c.id for c in rows.comments]
        assert rows.next_cursor is not None
        rest = store_kit.store.page(
            "t1",
            sort=SortOrder.OLDEST,
            visibility=EVERYONE,
            cursor=rows.next_cursor,
            top_limit=5,
            total_limit=3,
        )
        assert ([b.id], None) == ([c.id for c in rest.comments], rest.next_cursor)

    def test_page_never_exceeds_total_limit(self, store_kit: Kit) -> None:
        """Every page of a random thread holds at most total_limit comments."""
        store_kit.thread()
        store_kit.random_thread(80, seed=7)
        pages = store_kit.pages(top_limit=4, total_limit=6)
        assert [] == [len(rows.comments) for rows in pages if len(rows.comments) > 6]
        assert 1 < len(pages)

    def test_page_of_empty_or_unknown_thread_is_empty(self, store_kit: Kit) -> None:
        """A thread without comments, or an unknown one, gives an empty last page."""
        store_kit.thread()
        for key in ("t1", "unknown"):
            rows = store_kit.store.page(
                key, sort=SortOrder.OLDEST, visibility=EVERYONE, top_limit=5, total_limit=5
            )
            assert ([], None) == (rows.comments, rows.next_cursor)

    def _visibility_thread(self, kit: Kit) -> dict[str, Comment]:
        """Build one thread with comments in every status by Ada and Bob."""
        kit.thread()
        c: dict[str, Comment] = {}
        c["top"] = kit.add(author=BOB)
        c["ada_pending"] = kit.add(c["top"], status=Status.PENDING)
        c["ada_spam"] = kit.add(c["top"], status=Status.SPAM)
        c["bob_pending"] = kit.add(c["top"], author=BOB, status=Status.PENDING)
        c["bob_spam"] = kit.add(c["top"], author=BOB, status=Status.SPAM)
        c["placeholder"] = kit.add(c["top"], status=Status.DELETED)
        c["approved"] = kit.add(c["top"], author=BOB)
        c["ada_top_pending"] = kit.add(status=Status.PENDING)
        return c

    @pytest.mark.parametrize(
        ("visibility", "expected"),
        [
            (EVERYONE, ["top", "placeholder", "approved"]),
            (
                Visibility(viewer_key=ADA.key),
                ["top", "ada_pending", "ada_spam", "placeholder", "approved", "ada_top_pending"],
            ),
            (
                MODERATOR,
                ["top", "ada_pending", "bob_pending", "placeholder", "approved", "ada_top_pending"],
            ),
            (
                Visibility(viewer_key=BOB.key, moderator=True),
                [
                    "top",
                    *("ada_pending", "bob_pending", "bob_spam", "placeholder", "approved"),
                    "ada_top_pending",
                ],
            ),
        ],
        ids=["everyone", "author", "moderator", "moderator-author"],
    )
    def test_page_shows_each_reader_what_visibility_allows(
        self, store_kit: Kit, visibility: Visibility, expected: list[str]
    ) -> None:
        """Authors see their own pending and spam, moderators all pending, others neither."""
        c = self._visibility_thread(store_kit)
        assert [c[name].id for name in expected] == store_kit.ids(visibility=visibility)

    def test_page_lists_visible_reply_of_hidden_parent(self, store_kit: Kit) -> None:
        """An approved reply under a pending comment is still listed (as an orphan)."""
        store_kit.thread()
        top = store_kit.add()
        held = store_kit.add(top, author=BOB, status=Status.PENDING)
        orphan = store_kit.add(held)
        deeper = store_kit.add(orphan)
        assert [top.id, orphan.id, deeper.id] == store_kit.ids()

    def test_page_top_limit_counts_only_visible_top_level(self, store_kit: Kit) -> None:
        """Hidden top-level comments do not use up a page's top_limit."""
        store_kit.thread()
        first = store_kit.add()
        store_kit.add(author=BOB, status=Status.SPAM)
        store_kit.add(author=BOB, status=Status.PENDING)
        second = store_kit.add()
        rows = store_kit.store.page(
            "t1", sort=SortOrder.OLDEST, visibility=EVERYONE, top_limit=2, total_limit=10
        )
        assert ([first.id, second.id], None) == ([c.id for c in rows.comments], rows.next_cursor)

    # ------------------------------------------------------------------ subtrees

    def _subtree_sample(self, kit: Kit) -> tuple[Comment, list[int]]:
        """Build a top-level comment with seven replies; return it and their page order."""
        kit.thread()
        top = kit.add()
        r1 = kit.add(top)
        r2 = kit.add(top)
        r11 = kit.add(r1)
        r3 = kit.add(top)
        r111 = kit.add(r11)
        r21 = kit.add(r2)
        r12 = kit.add(r1)
        kit.add()  # another top-level comment, never part of the subtree
        return top, [r1.id, r11.id, r111.id, r12.id, r2.id, r21.id, r3.id]

    def test_subtree_lists_descendants_depth_first_without_the_comment(
        self, store_kit: Kit
    ) -> None:
        """subtree() lists every descendant depth first, siblings oldest first, not the root."""
        top, expected = self._subtree_sample(store_kit)
        rows = store_kit.store.subtree(top.id, visibility=EVERYONE, total_limit=100)
        assert (expected, None) == ([c.id for c in rows.comments], rows.next_cursor)

    @pytest.mark.parametrize("limit", [1, 2, 3, 7])
    def test_subtree_cursor_continues_where_it_stopped(self, store_kit: Kit, limit: int) -> None:
        """Following subtree cursors lists every descendant once, in order, limit per batch."""
        top, expected = self._subtree_sample(store_kit)
        pages = store_kit.subtree_pages(top.id, total_limit=limit)
        assert expected == [c.id for rows in pages for c in rows.comments]
        assert [] == [rows for rows in pages if len(rows.comments) > limit]
        assert -(-len(expected) // limit) == len(pages)

    def test_subtree_of_a_reply_lists_only_its_descendants(self, store_kit: Kit) -> None:
        """subtree() of a reply lists that reply's descendants only."""
        _, order = self._subtree_sample(store_kit)
        rows = store_kit.store.subtree(order[0], visibility=EVERYONE, total_limit=100)
        assert order[1:4] == [c.id for c in rows.comments]

    def test_subtree_hides_invisible_replies_but_keeps_theirs(self, store_kit: Kit) -> None:
        """subtree() skips hidden replies yet lists their visible descendants."""
        store_kit.thread()
        top = store_kit.add()
        held = store_kit.add(top, author=BOB, status=Status.PENDING)
        under = store_kit.add(held)
        spam = store_kit.add(top, author=BOB, status=Status.SPAM)
        rows = store_kit.store.subtree(top.id, visibility=EVERYONE, total_limit=10)
        assert [under.id] == [c.id for c in rows.comments]
        mod = store_kit.store.subtree(top.id, visibility=MODERATOR, total_limit=10)
        assert [held.id, under.id] == [c.id for c in mod.comments]
        bob = store_kit.store.subtree(top.id, visibility=Visibility(BOB.key), total_limit=10)
        assert [held.id, under.id, spam.id] == [c.id for c in bob.comments]

    def test_subtree_of_a_leaf_is_empty(self, store_kit: Kit) -> None:
        """A comment without replies has an empty subtree and no cursor."""
        store_kit.thread()
        leaf = store_kit.add()
        rows = store_kit.store.subtree(leaf.id, visibility=EVERYONE, total_limit=5)
        assert ([], None) == (rows.comments, rows.next_cursor)

    # ------------------------------------------------------------------ listings

    def test_recent_lists_approved_comments_newest_first(self, store_kit: Kit) -> None:
        """recent() lists approved comments of every thread, newest first, up to limit."""
        store_kit.thread("t1")
        store_kit.thread("t2")
        a = store_kit.add()
        store_kit.add(a, status=Status.PENDING)
        b = store_kit.add(a)
        store_kit.add(status=Status.DELETED)
        c = store_kit.add(thread_key="t2")
        store_kit.add(thread_key="t2", status=Status.SPAM)
        assert [c.id, b.id, a.id] == [x.id for x in store_kit.store.recent(10)]
        assert [c.id, b.id] == [x.id for x in store_kit.store.recent(2)]

    def test_recent_of_one_thread(self, store_kit: Kit) -> None:
        """recent() with a thread key lists only that thread's approved comments."""
        store_kit.thread("t1")
        store_kit.thread("t2")
        a = store_kit.add()
        store_kit.add(thread_key="t2")
        b = store_kit.add()
        store_kit.add(thread_key="t2")
        assert [b.id, a.id] == [x.id for x in store_kit.store.recent(10, "t1")]
        assert [] == store_kit.store.recent(10, "unknown")

    def _queue_sample(self, kit: Kit) -> list[Comment]:
        """Add comments of every status to two threads; return them oldest first."""
        kit.thread("t1")
        kit.thread("t2")
        added = []
        for index in range(12):
            status = list(Status)[index % 4]
            added.append(kit.add(thread_key=f"t{index % 2 + 1}", status=status))
        return added

    def test_moderation_queue_lists_statuses_newest_first(self, store_kit: Kit) -> None:
        """The queue lists comments in the given statuses, across threads, newest first."""
        added = self._queue_sample(store_kit)
        wanted = (Status.PENDING, Status.SPAM)
        rows = store_kit.store.moderation_queue(wanted, limit=50)
        expected = [c.id for c in reversed(added) if c.status in wanted]
        assert (expected, None) == ([c.id for c in rows.comments], rows.next_cursor)
        only = store_kit.store.moderation_queue([Status.SPAM], limit=50)
        assert [c.id for c in reversed(added) if c.status is Status.SPAM] == [
            c.id for c in only.comments
        ]

    def test_moderation_queue_cursor_walks_everything_once(self, store_kit: Kit) -> None:
        """Following queue cursors lists each queued comment once, limit per batch."""
        added = self._queue_sample(store_kit)
        wanted = (Status.PENDING, Status.SPAM, Status.DELETED)
        listed: list[int] = []
        sizes: list[int] = []
        cursor: str | None = None
        for _ in range(100):
            rows = store_kit.store.moderation_queue(wanted, limit=2, cursor=cursor)
            sizes.append(len(rows.comments))
            listed += [c.id for c in rows.comments]
            cursor = rows.next_cursor
            if cursor is None:
                break
        assert [c.id for c in reversed(added) if c.status in wanted] == listed
        assert [2, 2, 2, 2, 1] == sizes

    def test_comments_by_author_lists_all_oldest_first(self, store_kit: Kit) -> None:
        """comments_by_author lists one author's comments in every status and thread."""
        store_kit.thread("t1")
        store_kit.thread("t2")
        a = store_kit.add()
        store_kit.add(author=BOB)
        b = store_kit.add(a, status=Status.SPAM)
        c = store_kit.add(thread_key="t2", status=Status.PENDING)
        assert [a.id, b.id, c.id] == [x.id for x in store_kit.store.comments_by_author(ADA.key)]
        assert [] == store_kit.store.comments_by_author("nobody:at-all")

    # ------------------------------------------------------------------ history

    def test_latest_comment_at_by_ip_and_by_author(self, store_kit: Kit) -> None:
        """latest_comment_at finds the newest comment per IP or per author, any status."""
        store_kit.thread()
        store_kit.add(ip="203.0.113.1")
        bob = store_kit.add(author=BOB, ip="203.0.113.1")
        ada = store_kit.add(ip="203.0.113.2", status=Status.SPAM)
        latest = store_kit.store.latest_comment_at
        assert bob.created_at == latest(ip="203.0.113.1")
        assert ada.created_at == latest(ip="203.0.113.2")
        assert ada.created_at == latest(author_key=ADA.key)
        assert bob.created_at == latest(author_key=BOB.key)

    def test_latest_comment_at_without_history_is_none(self, store_kit: Kit) -> None:
        """An IP or author that never posted has no latest comment."""
        store_kit.thread()
        store_kit.add()
        assert None is store_kit.store.latest_comment_at(ip="203.0.113.99")
        assert None is store_kit.store.latest_comment_at(author_key=BOB.key)

    def test_has_duplicate_matches_author_thread_and_body(self, store_kit: Kit) -> None:
        """has_duplicate is true only for the same author, thread and exact body."""
        store_kit.thread("t1")
        store_kit.thread("t2")
        store_kit.add(body="Nice post!")
        check = store_kit.store.has_duplicate
        assert True is check("t1", ADA.key, "Nice post!")
        expected = [False, False, False, False]
        actual = [
            check("t2", ADA.key, "Nice post!"),
            check("t1", BOB.key, "Nice post!"),
            check("t1", ADA.key, "Nice post"),
            check("t1", ADA.key, "nice post!"),
        ]
        assert expected == actual

    def test_has_approved_comment_ignores_other_statuses(self, store_kit: Kit) -> None:
        """has_approved_comment is false until the author has an approved comment."""
        store_kit.thread("t1")
        store_kit.thread("t2")
        held = store_kit.add(status=Status.PENDING)
        store_kit.add(status=Status.SPAM)
        store_kit.add(author=BOB)
        assert False is store_kit.store.has_approved_comment(ADA.key)
        store_kit.set_status(held, Status.APPROVED)
        assert True is store_kit.store.has_approved_comment(ADA.key)
        assert False is store_kit.store.has_approved_comment(CY.key)

    # ------------------------------------------------------------------ votes

    def test_each_voter_counts_once(self, store_kit: Kit) -> None:
        """Voting the same way twice counts one vote; each voter has their own."""
        store_kit.thread()
        comment = store_kit.add()
        store_kit.store.vote(comment.id, "ada", 1)
        store_kit.store.vote(comment.id, "ada", 1)
        store_kit.store.vote(comment.id, "cy", 1)
        result = store_kit.store.vote(comment.id, "bob", -1)
        assert (2, 1, 1) == (result.upvotes, result.downvotes, result.score)
        assert result == store_kit.get(comment)

    def test_changing_a_vote_moves_it(self, store_kit: Kit) -> None:
        """A voter who switches from up to down moves their one vote."""
        store_kit.thread()
        comment = store_kit.add()
        store_kit.store.vote(comment.id, "ada", 1)
        result = store_kit.store.vote(comment.id, "ada", -1)
        assert (0, 1) == (result.upvotes, result.downvotes)
        assert {comment.id: -1} == store_kit.store.votes_by("ada")

    def test_vote_zero_withdraws_the_vote(self, store_kit: Kit) -> None:
        """Voting 0 withdraws a vote; withdrawing twice changes nothing."""
        store_kit.thread()
        comment = store_kit.add()
        store_kit.store.vote(comment.id, "ada", 1)
        store_kit.store.vote(comment.id, "ada", 0)
        result = store_kit.store.vote(comment.id, "ada", 0)
        assert (0, 0, {}) == (result.upvotes, result.downvotes, store_kit.store.votes_by("ada"))

    def test_vote_on_unknown_comment_raises_not_found(self, store: CommentStore) -> None:
        """Voting on a comment that does not exist raises NotFoundError."""
        with pytest.raises(NotFoundError):
            store.vote(777_777, "ada", 1)

    def test_votes_by_lists_a_voters_votes(self, store_kit: Kit) -> None:
        """votes_by maps every comment a voter voted on to +1 or -1."""
        store_kit.thread()
        a = store_kit.add()
        b = store_kit.add()
        store_kit.add()
        store_kit.store.vote(a.id, "ada", 1)
        store_kit.store.vote(b.id, "ada", -1)
        store_kit.store.vote(b.id, "bob", 1)
        assert {a.id: 1, b.id: -1} == store_kit.store.votes_by("ada")
        assert {} == store_kit.store.votes_by("nobody")

    def test_erase_votes_withdraws_every_vote_of_one_voter(self, store_kit: Kit) -> None:
        """erase_votes withdraws all of one voter's votes, returns how many, keeps others."""
        store_kit.thread()
        a = store_kit.add()
        b = store_kit.add()
        store_kit.store.vote(a.id, "ada", 1)
        store_kit.store.vote(b.id, "ada", -1)
        store_kit.store.vote(b.id, "bob", -1)
        assert 2 == store_kit.store.erase_votes("ada")
        no_votes: dict[int, int] = {}
        expected = ((0, 0), (0, 1), no_votes, {b.id: -1})
        actual = (
            (store_kit.get(a).upvotes, store_kit.get(a).downvotes),
            (store_kit.get(b).upvotes, store_kit.get(b).downvotes),
            store_kit.store.votes_by("ada"),
            store_kit.store.votes_by("bob"),
        )
        assert expected == actual
        assert 0 == store_kit.store.erase_votes("ada")

    def test_votes_reorder_the_top_sort(self, store_kit: Kit) -> None:
        """A vote that changes a top-level score moves it in the TOP order."""
        store_kit.thread()
        a = store_kit.add()
        b = store_kit.add()
        assert [a.id, b.id] == store_kit.ids(sort=SortOrder.TOP)
        store_kit.store.vote(b.id, "ada", 1)
        assert [b.id, a.id] == store_kit.ids(sort=SortOrder.TOP)
        store_kit.store.vote(b.id, "ada", 0)
        store_kit.store.vote(a.id, "ada", -1)
        assert [b.id, a.id] == store_kit.ids(sort=SortOrder.TOP)

    # ------------------------------------------------------------------ outbox

    def test_add_queues_one_message_per_notice(self, store_kit: Kit) -> None:
        """Each notice given to add_comment becomes one due message about the comment."""
        store_kit.thread()
        notices = [Notice("email", EventKind.POSTED), Notice("webhook", EventKind.HELD)]
        comment = store_kit.add(notices=notices)
        claimed = store_kit.store.claim_outbox(now=comment.created_at, limit=10, lease_seconds=60)
        expected = {
            ("email", EventKind.POSTED, comment.id, "t1", comment.created_at, 1, ""),
            ("webhook", EventKind.HELD, comment.id, "t1", comment.created_at, 1, ""),
        }
        actual = {
            (m.channel, m.kind, m.comment_id, m.thread_key, m.created_at, m.attempts, m.last_error)
            for m in claimed
        }
        assert expected == actual
        assert 2 == len({m.id for m in claimed})

    def test_update_queues_messages_at_now(self, store_kit: Kit) -> None:
        """Notices given to update_comment are queued at the update's time."""
        store_kit.thread()
        comment = store_kit.add(status=Status.PENDING)
        later = comment.created_at + timedelta(hours=2)
        store_kit.store.update_comment(
            attrs.evolve(comment, status=Status.APPROVED),
            [Notice("email", EventKind.APPROVED)],
            now=later,
        )
        assert [] == store_kit.store.claim_outbox(
            now=later - timedelta(microseconds=1), limit=10, lease_seconds=60
        )
        claimed = store_kit.store.claim_outbox(now=later, limit=10, lease_seconds=60)
        expected = [("email", EventKind.APPROVED, comment.id, later)]
        assert expected == [(m.channel, m.kind, m.comment_id, m.created_at) for m in claimed]

    def test_writes_without_notices_queue_nothing(self, store_kit: Kit) -> None:
        """A write with no notices leaves the outbox empty."""
        store_kit.thread()
        comment = store_kit.add()
        store_kit.set_status(comment, Status.SPAM)
        far = T0 + timedelta(days=365)
        assert [] == store_kit.store.claim_outbox(now=far, limit=10, lease_seconds=60)

    def test_claim_hides_messages_until_the_lease_expires(self, store_kit: Kit) -> None:
        """A claimed message is not claimable again until its lease runs out."""
        store_kit.thread()
        comment = store_kit.add(notices=[Notice("email", EventKind.POSTED)])
        now = comment.created_at
        first = store_kit.store.claim_outbox(now=now, limit=10, lease_seconds=30)
        during = store_kit.store.claim_outbox(
            now=now + timedelta(seconds=29), limit=10, lease_seconds=30
        )
        after = store_kit.store.claim_outbox(
            now=now + timedelta(seconds=31), limit=10, lease_seconds=30
        )
        assert ([1], [], [2]) == (
            [m.attempts for m in first],
            during,
            [m.attempts for m in after],
        )
        assert [m.id for m in first] == [m.id for m in after]

    def test_claim_respects_limit(self, store_kit: Kit) -> None:
        """claim_outbox returns at most limit messages; the rest stay due."""
        store_kit.thread()
        for _ in range(3):
            store_kit.add(notices=[Notice("email", EventKind.POSTED)])
        now = store_kit.clock.tick()
        first = store_kit.store.claim_outbox(now=now, limit=2, lease_seconds=60)
        second = store_kit.store.claim_outbox(now=now, limit=2, lease_seconds=60)
        assert (2, 1) == (len(first), len(second))
        assert 3 == len({m.id for m in first + second})

    def test_complete_forgets_the_message(self, store_kit: Kit) -> None:
        """A completed message never comes back, even after its lease."""
        store_kit.thread()
        comment = store_kit.add(notices=[Notice("email", EventKind.POSTED)])
        (message,) = store_kit.store.claim_outbox(now=comment.created_at, limit=10, lease_seconds=5)
        store_kit.store.complete_outbox(message.id)
        far = comment.created_at + timedelta(days=2)
        assert [] == store_kit.store.claim_outbox(now=far, limit=10, lease_seconds=5)

    def test_retry_sets_due_time_and_error_and_releases_lease(self, store_kit: Kit) -> None:
        """A retried message comes back at next_attempt_at with its error and attempts."""
        store_kit.thread()
        comment = store_kit.add(notices=[Notice("email", EventKind.POSTED)])
        now = comment.created_at
        (message,) = store_kit.store.claim_outbox(now=now, limit=10, lease_seconds=3600)
        due = now + timedelta(seconds=60)
        store_kit.store.retry_outbox(message.id, next_attempt_at=due, error="SMTP 451")
        early = store_kit.store.claim_outbox(
            now=due - timedelta(seconds=1), limit=10, lease_seconds=3600
        )
        again = store_kit.store.claim_outbox(now=due, limit=10, lease_seconds=3600)
        assert [] == early
        assert [(message.id, 2, "SMTP 451")] == [(m.id, m.attempts, m.last_error) for m in again]

    def test_retry_due_now_is_claimable_at_once(self, store_kit: Kit) -> None:
        """Retrying releases the lease: a message due now can be claimed immediately."""
        store_kit.thread()
        comment = store_kit.add(notices=[Notice("email", EventKind.POSTED)])
        now = comment.created_at
        (message,) = store_kit.store.claim_outbox(now=now, limit=10, lease_seconds=3600)
        store_kit.store.retry_outbox(message.id, next_attempt_at=now, error="timeout")
        again = store_kit.store.claim_outbox(now=now, limit=10, lease_seconds=3600)
        assert [message.id] == [m.id for m in again]

    def test_message_not_yet_due_is_not_claimed(self, store_kit: Kit) -> None:
        """A message is due from its next_attempt_at on, not before."""
        store_kit.thread()
        comment = store_kit.add(notices=[Notice("email", EventKind.POSTED)])
        before = comment.created_at - timedelta(microseconds=1)
        assert [] == store_kit.store.claim_outbox(now=before, limit=10, lease_seconds=60)

    # ------------------------------------------------------------------ concurrency

    def test_parallel_posts_lose_nothing(self, store_kit: Kit) -> None:
        """Eight threads posting into one thread at once: ids unique, counts exact."""
        store_kit.thread()
        per_worker = 20
        made: list[list[Comment]] = [[] for _ in range(8)]

        def post(worker: int) -> None:
            author = Identity("anonymous", f"worker-{worker}", f"Worker {worker}")
            parent: Comment | None = None
            for index in range(per_worker):
                draft = NewComment(
                    "t1",
                    None if parent is None or index % 4 == 0 else parent.id,
                    author,
                    f"post {worker}/{index}",
                    f"<p>post {worker}/{index}</p>",
                    Status.APPROVED,
                    T0 + timedelta(seconds=index),
                )
                parent = store_kit.store.add_comment(draft)
                made[worker].append(parent)

        _in_parallel(8, post)
        made_all = [c for batch in made for c in batch]
        tops = sum(c.parent_id is None for c in made_all)
        assert 8 * per_worker == len({c.id for c in made_all})
        assert (8 * per_worker, tops) == store_kit.count()
        listed = [c for rows in store_kit.pages() for c in rows.comments]
        assert sorted(c.id for c in made_all) == sorted(c.id for c in listed)
        assert_parents_first(listed)
        expected_replies = {c.id: 0 for c in made_all}
        for c in made_all:
            if c.parent_id is not None:
                expected_replies[c.parent_id] += 1
        assert expected_replies == {c.id: c.reply_count for c in listed}

    def test_parallel_votes_lose_nothing(self, store_kit: Kit) -> None:
        """Eight threads voting on one comment at once: every vote is counted."""
        store_kit.thread()
        comment = store_kit.add()

        def vote(worker: int) -> None:
            for index in range(10):
                store_kit.store.vote(comment.id, f"voter-{worker}-{index}", 1)

        _in_parallel(8, vote)
        assert (80, 0) == (store_kit.get(comment).upvotes, store_kit.get(comment).downvotes)

    def test_parallel_claimers_never_share_a_message(self, store_kit: Kit) -> None:
        """Eight workers claiming at once each get different messages, and all of them."""
        store_kit.thread()
        for _ in range(40):
            store_kit.add(notices=[Notice("email", EventKind.POSTED)])
        now = store_kit.clock.tick()
        got: list[list[int]] = [[] for _ in range(8)]

        def claim(worker: int) -> None:
            while batch := store_kit.store.claim_outbox(now=now, limit=3, lease_seconds=600):
                got[worker] += [m.id for m in batch]

        _in_parallel(8, claim)
        claimed = [i for ids in got for i in ids]
        assert 40 == len(claimed)
        assert 40 == len(set(claimed))

    # ------------------------------------------------------------------ text and time

    @pytest.mark.parametrize("text", UNICODE_SAMPLES, ids=_SAMPLE_IDS)
    def test_unicode_round_trips_in_comments(self, store_kit: Kit, text: str) -> None:
        """Bodies, author name and url come back exactly as written."""
        store_kit.thread()
        author = Identity("anonymous", "u-" + text, text, url="https://example.org/" + text)
        draft = NewComment(
            "t1", None, author, text, f"<p>{text}</p>", Status.APPROVED, store_kit.clock.tick()
        )
        comment = store_kit.store.add_comment(draft)
        stored = store_kit.get(comment)
        expected = (text, f"<p>{text}</p>", text, "https://example.org/" + text, author.key)
        actual = (
            stored.body_source,
            stored.body_html,
            stored.author.name,
            stored.author.url,
            stored.author.key,
        )
        assert expected == actual
        assert [stored] == store_kit.pages()[0].comments
        assert [comment.id] == [c.id for c in store_kit.store.comments_by_author(author.key)]
        assert True is store_kit.store.has_duplicate("t1", author.key, text)

    @pytest.mark.parametrize("text", UNICODE_SAMPLES, ids=_SAMPLE_IDS)
    def test_unicode_round_trips_in_threads(self, store: CommentStore, text: str) -> None:
        """Thread key, title and url come back exactly as written."""
        key = "post/" + text
        url = "https://example.org/" + text
        created = store.ensure_thread(key, title=text, url=url, now=T0)
        found = store.get_thread(key)
        assert found is not None
        assert (key, text, url) == (found.key, found.title, found.url)
        assert created == found
        assert {key: 0} == store.counts([key])

    def test_timestamps_round_trip_as_aware_utc_with_microseconds(self, store_kit: Kit) -> None:
        """Creation, edit, thread and outbox times come back equal, in UTC, to the microsecond."""
        thread = store_kit.thread()
        comment = store_kit.add(notices=[Notice("email", EventKind.POSTED)])
        edited_at = datetime(2026, 3, 2, 1, 2, 3, 999999, tzinfo=UTC)
        store_kit.store.update_comment(attrs.evolve(comment, edited_at=edited_at), now=edited_at)
        stored = store_kit.get(comment)
        (message,) = store_kit.store.claim_outbox(now=comment.created_at, limit=1, lease_seconds=60)
        moments = [
            thread.created_at,
            stored.created_at,
            stored.edited_at,
            message.created_at,
            message.next_attempt_at,
            store_kit.store.latest_comment_at(author_key=ADA.key),
        ]
        created = comment.created_at
        assert [T0, created, edited_at, created, created, created] == moments
        assert [timedelta(0)] * 6 == [m.utcoffset() if m else None for m in moments]
        assert T0.microsecond == thread.created_at.microsecond

    def test_times_in_other_zones_come_back_as_the_same_instant_in_utc(
        self, store_kit: Kit
    ) -> None:
        """An aware non-UTC creation time is stored as the same instant, returned in UTC."""
        store_kit.thread()
        india = datetime(2026, 3, 1, 15, 0, 0, 250, tzinfo=timezone(timedelta(hours=5, minutes=30)))
        draft = NewComment("t1", None, ADA, "x", "x", Status.APPROVED, india)
        stored = store_kit.get(store_kit.store.add_comment(draft))
        expected = (datetime(2026, 3, 1, 9, 30, 0, 250, tzinfo=UTC), timedelta(0))
        assert expected == (stored.created_at, stored.created_at.utcoffset())

    # ------------------------------------------------------------------ deep chains

    DEEP_CHAIN = 1000

    def _chain(self, kit: Kit) -> list[Comment]:
        """Add a top-level comment and a reply chain DEEP_CHAIN levels below it."""
        kit.thread()
        chain = [kit.add()]
        for _ in range(self.DEEP_CHAIN):
            chain.append(kit.add(chain[-1]))
        kit.add()  # a later top-level comment
        return chain

    @pytest.mark.slow
    def test_deep_chain_keeps_true_parent_and_depth(self, store_kit: Kit) -> None:
        """Every comment of a 1,000-level chain reports its real parent and depth."""
        chain = self._chain(store_kit)
        expected = [(None, 0)] + [(chain[i - 1].id, i) for i in range(1, len(chain))]
        stored = [store_kit.get(c) for c in chain]
        assert expected == [(c.parent_id, c.depth) for c in stored]
        assert {chain[0].id} == {c.root_id for c in stored}

    @pytest.mark.slow
    def test_deep_chain_pages_back_every_comment_once(self, store_kit: Kit) -> None:
        """A page holding a 1,000-level chain lists each level once with its true depth."""
        chain = self._chain(store_kit)
        rows = store_kit.store.page(
            "t1", sort=SortOrder.OLDEST, visibility=EVERYONE, top_limit=1, total_limit=2000
        )
        expected = {c.id: (c.parent_id, c.depth) for c in chain}
        assert len(chain) == len(rows.comments)
        assert expected == {c.id: (c.parent_id, c.depth) for c in rows.comments}
        assert chain[0].id == rows.comments[0].id
        assert_parents_first(rows.comments)

    @pytest.mark.slow
    def test_deep_chain_subtree_cursor_walk_lists_every_level_once(self, store_kit: Kit) -> None:
        """Walking a 1,000-level chain's subtree in batches lists each level exactly once."""
        chain = self._chain(store_kit)
        pages = store_kit.subtree_pages(chain[0].id, total_limit=150)
        listed = [c for rows in pages for c in rows.comments]
        assert len(chain) - 1 == len(listed)
        assert {c.id: c.depth for c in chain[1:]} == {c.id: c.depth for c in listed}
        assert_parents_first(listed)
