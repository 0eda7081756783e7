"""Conformance: editing and deleting: mutable fields, status changes and their counters, removal."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from threadkit.errors import ConflictError, NotFoundError
from threadkit.models import Identity, Reason, RequestContext, Status
from threadkit.ports import CommentStore
from threadkit.storekit import EDITABLE
from threadkit.testing.store_kit import ADA, BOB, T0, Kit

__all__ = ["EditingSuite"]


class EditingSuite:
    """Editing and deleting: mutable fields, status changes and their counters, removal."""

    def test_update_writes_every_mutable_field(self, store_kit: Kit) -> None:
        """update_comment stores author, bodies, status, edited_at, reasons, context, notify."""
        store_kit.thread()
        comment = store_kit.add()
        edited = store_kit.clock.tick()
        changes: dict[str, Any] = {
            "author": BOB,
            "body_source": "new",
            "body_html": "<p>new</p>",
            "status": Status.SPAM,
            "edited_at": edited,
            "reasons": (Reason("kw", "spam_word", "Matched a word."),),
            "context": RequestContext(),
            "notify_replies": True,
        }
        assert set(EDITABLE) == set(changes), "the test no longer changes every mutable field"
        changed = attrs.evolve(comment, **changes)
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
        keep, gone = store_kit.comments(2)
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
        kept, gone = store_kit.comments(2)
        store_kit.store.vote(kept.id, "voter", 1)
        store_kit.store.vote(gone.id, "voter", -1)
        store_kit.store.remove_comment(gone.id)
        assert {kept.id: 1} == store_kit.store.votes_by("voter")
