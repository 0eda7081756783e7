"""Conformance: lists across threads, and the history moderation steps ask about."""

from __future__ import annotations

from threadkit.models import Comment, Status
from threadkit.testing.store_kit import ADA, BOB, CY, Kit

__all__ = ["ListingSuite"]


class ListingSuite:
    """Lists across threads, and the history moderation steps ask about."""

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
