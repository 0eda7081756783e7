"""Conformance: parallel writers and claimers lose nothing and share nothing."""

from __future__ import annotations

from datetime import timedelta

from threadkit.models import Comment, EventKind, Identity, NewComment, Notice, Status
from threadkit.testing.capabilities import CONCURRENT_WRITERS
from threadkit.testing.store_kit import T0, Kit, assert_parents_first
from threadkit.testing.suite_support import in_parallel

__all__ = ["ConcurrencySuite"]


class ConcurrencySuite:
    """Parallel writers and claimers lose nothing and share nothing."""

    required_capabilities = frozenset({CONCURRENT_WRITERS})

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

        in_parallel(8, post)
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

        in_parallel(8, vote)
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

        in_parallel(8, claim)
        claimed = [i for ids in got for i in ids]
        assert 40 == len(claimed)
        assert 40 == len(set(claimed))
