"""Conformance: pages and subtrees: order, limits, cursors, visibility, and 1,000-level chains."""

from __future__ import annotations

import pytest

from threadkit.models import Comment, SortOrder, Status, Visibility
from threadkit.testing.store_kit import (
    ADA,
    BOB,
    EVERYONE,
    MODERATOR,
    Kit,
    assert_parents_first,
    preorder,
)

__all__ = ["PagingSuite"]


class PagingSuite:
    """Pages and subtrees: order, limits, cursors, visibility, and 1,000-level chains."""

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
        # Fewer rows than asked only where the subtree ends (the engine reads it so).
        assert [] == [rows for rows in pages[:-1] if len(rows.comments) < limit]
        assert -(-len(expected) // limit) == len(pages)

    def test_a_smaller_subtree_batch_is_the_first_rows_of_a_larger_one(
        self, store_kit: Kit
    ) -> None:
        """subtree() at total_limit n answers the first n rows it answers at any larger limit."""
        top, expected = self._subtree_sample(store_kit)
        for limit in range(1, len(expected) + 2):
            rows = store_kit.store.subtree(top.id, visibility=EVERYONE, total_limit=limit)
            assert expected[:limit] == [c.id for c in rows.comments]

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
