"""The :class:`~threadkit.ports.SiteStore` contract: a whole site read and written in batches.

Part of :class:`~threadkit.testing.store_suite.CommentStoreSuite`; uses its
``store`` fixture. Pins what ``threadkit-export`` and ``threadkit-import
threadkit`` rely on: every thread and comment (any status) comes out, a
bulk load keeps statuses, tallies and times, vote rows load without moving
tallies, small batch sizes lose nothing, and an export read back into the
same kind of store gives the same bytes.
"""

from __future__ import annotations

import io

import attrs

from threadkit.exporters.site import dump_site
from threadkit.models import Comment
from threadkit.ports import SiteStore, StoredVote
from threadkit.storekit import stored_comment
from threadkit.testing.capabilities import BULK_LOAD
from threadkit.testing.site_sample import ANNA, BEN, SAMPLE_START, fill_sample_site
from threadkit.testing.store_kit import plain_draft

__all__ = ["SiteStoreSuite"]


class SiteStoreSuite:
    """Tests of ``iter_threads``, ``iter_thread``, ``iter_votes``, ``bulk_load``, ``load_votes``."""

    required_capabilities = frozenset({BULK_LOAD})

    def test_site_store_iterators_list_every_thread_comment_and_vote(
        self, store: SiteStore
    ) -> None:
        """Small batches still list every thread, every comment in any status, every vote."""
        fill_sample_site(store, generated=25)
        keys = sorted(t.key for t in store.iter_threads(batch_size=1))
        assert ["generated/big", "posts/empty", "posts/hello", "posts/ünïcødé-日本"] == keys
        hello = list(store.iter_thread("posts/hello", batch_size=2))
        statuses = sorted(c.status.value for c in hello)
        assert ["approved", "approved", "approved", "deleted", "pending", "spam"] == statuses
        assert 25 == len(list(store.iter_thread("generated/big", batch_size=3)))
        votes = sorted((v.voter_key, v.value, v.ip) for v in store.iter_votes("posts/hello"))
        assert [
            ("form:browser-anna", 1, "198.51.100.1"),
            ("form:browser-carla", 1, ""),
            ("github:4242", -1, "198.51.100.2"),
        ] == votes

    def test_site_store_iter_thread_lists_parents_before_replies(self, store: SiteStore) -> None:
        """Depth first: each comment comes after its parent; siblings oldest first."""
        fill_sample_site(store, generated=200)
        seen: set[int] = set()
        for comment in store.iter_thread("generated/big", batch_size=7):
            assert comment.parent_id is None or comment.parent_id in seen
            seen.add(comment.id)
        assert 200 == len(seen)

    def test_site_store_bulk_load_keeps_status_tallies_times(self, store: SiteStore) -> None:
        """A bulk-loaded comment keeps status, vote tallies, edit time, context and counters."""
        fill_sample_site(store, generated=0)
        source = list(store.iter_thread("posts/hello"))
        mapping = store.bulk_load("copy", source)
        assert len(source) == len(mapping)
        copied = {c.id: c for c in store.iter_thread("copy")}
        for old in source:
            new = copied[mapping[old.id]]
            assert (old.status, old.upvotes, old.downvotes, old.edited_at, old.context) == (
                new.status,
                new.upvotes,
                new.downvotes,
                new.edited_at,
                new.context,
            )
            assert old.reply_count == new.reply_count
        original, copy = store.get_thread("posts/hello"), store.get_thread("copy")
        assert original is not None
        assert copy is not None
        assert original.comment_count == copy.comment_count

    def test_site_store_load_votes_leaves_tallies_alone(self, store: SiteStore) -> None:
        """Vote rows loaded back are listed and owned by their voter; tallies do not move."""
        store.ensure_thread("t1", now=SAMPLE_START)
        rows = store.bulk_load("t1", _one_comment())
        (new_id,) = rows.values()
        before = store.get_comment(new_id)
        loaded = store.load_votes(
            [
                StoredVote(new_id, ANNA.key, 1, "192.0.2.1", SAMPLE_START),
                StoredVote(new_id, BEN.key, -1),
            ]
        )
        assert 2 == loaded
        assert before == store.get_comment(new_id)
        assert {new_id: -1} == store.votes_by(BEN.key)
        listed = sorted((v.voter_key, v.value, v.ip, v.at) for v in store.iter_votes("t1"))
        assert [(ANNA.key, 1, "192.0.2.1", SAMPLE_START), (BEN.key, -1, "", None)] == listed

    def test_site_store_comments_by_email_ignores_case(self, store: SiteStore) -> None:
        """comments_by_email finds comments by their author's email, whatever its case."""
        fill_sample_site(store, generated=0)
        found = store.comments_by_email("Anna@EXAMPLE.org")
        assert ["First!", "Reply to gone"] == [c.body_source for c in found]
        assert [] == store.comments_by_email("nobody@example.org")

    def test_site_store_export_is_repeatable(self, store: SiteStore) -> None:
        """Two exports of an unchanged store are the same bytes."""
        fill_sample_site(store, generated=40)
        first, second = io.StringIO(), io.StringIO()
        dump_site(store, first, batch_size=3)
        dump_site(store, second)
        assert first.getvalue() == second.getvalue()


def _one_comment() -> list[Comment]:
    """One approved comment (source id 1) with three up and one down votes, for a bulk load."""
    draft = plain_draft("t1", None, ANNA, "hi", SAMPLE_START)
    comment = stored_comment(draft, 1, root_id=1, depth=0, created_at=SAMPLE_START)
    return [attrs.evolve(comment, upvotes=3, downvotes=1)]
