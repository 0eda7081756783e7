"""Conformance: posting: every field stored, ids, parents, and the counters a post moves."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from threadkit.errors import InvalidParentError, NotFoundError
from threadkit.models import Comment, NewComment, Reason, RequestContext, Status
from threadkit.ports import CommentStore
from threadkit.testing.store_kit import CY, T0, Kit
from threadkit.testing.suite_support import ALL_STATUS_PAIRS, approved_count, counted_reply

__all__ = ["PostingSuite"]


class PostingSuite:
    """Posting: every field stored, ids, parents, and the counters a post moves."""

    def test_add_top_level_comment_stores_every_field(self, store_kit: Kit) -> None:
        """A top-level comment is its own root at depth 0 and keeps what was given."""
        store_kit.thread()
        given: dict[str, Any] = {
            "thread_key": "t1",
            "parent_id": None,
            "author": CY,
            "body_source": "*Hi*",
            "body_html": "<p><em>Hi</em></p>",
            "status": Status.PENDING,
            "created_at": T0,
            "reasons": (Reason("links", "too_many_links", "Three links."),),
            "context": RequestContext("198.51.100.7", "Firefox", "https://ref.example", "de"),
            "notify_replies": True,
        }
        comment = store_kit.store.add_comment(NewComment(**given))
        expected = Comment(id=comment.id, root_id=comment.id, depth=0, **given)
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
        ("old", "new"), ALL_STATUS_PAIRS, ids=[f"{o.value}-{n.value}" for o, n in ALL_STATUS_PAIRS]
    )
    def test_status_change_moves_all_three_counters(
        self, store_kit: Kit, old: Status, new: Status
    ) -> None:
        """Every status transition keeps comment_count, top_level_count and reply_count exact."""
        store_kit.thread()
        parent = store_kit.add()
        reply = store_kit.add(parent, status=old)
        top = store_kit.add(status=old)
        before = (1 + 2 * approved_count(old), 1 + approved_count(old), counted_reply(old))
        assert before == (*store_kit.count(), store_kit.get(parent).reply_count)
        store_kit.set_status(reply, new)
        store_kit.set_status(top, new)
        after = (1 + 2 * approved_count(new), 1 + approved_count(new), counted_reply(new))
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
