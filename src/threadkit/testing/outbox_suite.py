"""Conformance: the notification outbox: queued with the write, claimed under a lease, retried."""

from __future__ import annotations

from datetime import timedelta

import attrs

from threadkit.models import EventKind, Notice, Status
from threadkit.testing.store_kit import T0, Kit

__all__ = ["OutboxSuite"]


class OutboxSuite:
    """The notification outbox: queued with the write, claimed under a lease, retried."""

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
        assert ([1], [], [2]) == ([m.attempts for m in first], during, [m.attempts for m in after])
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
