"""Conformance: votes: one per voter, changed, withdrawn, listed, erased, and the top sort."""

from __future__ import annotations

import pytest

from threadkit.errors import NotFoundError, ValidationError
from threadkit.models import SortOrder
from threadkit.ports import CommentStore
from threadkit.testing.store_kit import Kit

__all__ = ["VoteSuite"]


class VoteSuite:
    """Votes: one per voter, changed, withdrawn, listed, erased, and the top sort."""

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

    @pytest.mark.parametrize("value", [True, 2, "1", 1.0], ids=["bool", "two", "text", "float"])
    def test_vote_refuses_anything_but_minus_one_zero_or_one(
        self, store_kit: Kit, value: object
    ) -> None:
        """A vote that is not the int -1, 0 or 1 is refused (invalid_vote) and nothing counts."""
        store_kit.thread()
        comment = store_kit.add()
        with pytest.raises(ValidationError) as refused:
            store_kit.store.vote(comment.id, "ada", value)  # type: ignore[arg-type]
        after = store_kit.store.get_comment(comment.id)
        assert after is not None
        assert ("invalid_vote", 0, {}) == (
            refused.value.code,
            after.upvotes,
            store_kit.store.votes_by("ada"),
        )

    def test_vote_on_unknown_comment_raises_not_found(self, store: CommentStore) -> None:
        """Voting on a comment that does not exist raises NotFoundError."""
        with pytest.raises(NotFoundError):
            store.vote(777_777, "ada", 1)

    def test_votes_by_lists_a_voters_votes(self, store_kit: Kit) -> None:
        """votes_by maps every comment a voter voted on to +1 or -1."""
        a, b = store_kit.comments(2)
        store_kit.add()
        store_kit.store.vote(a.id, "ada", 1)
        store_kit.store.vote(b.id, "ada", -1)
        store_kit.store.vote(b.id, "bob", 1)
        assert {a.id: 1, b.id: -1} == store_kit.store.votes_by("ada")
        assert {} == store_kit.store.votes_by("nobody")

    def test_erase_votes_withdraws_every_vote_of_one_voter(self, store_kit: Kit) -> None:
        """erase_votes withdraws all of one voter's votes, returns how many, keeps others."""
        a, b = store_kit.comments(2)
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
        a, b = store_kit.comments(2)
        assert [a.id, b.id] == store_kit.ids(sort=SortOrder.TOP)
        store_kit.store.vote(b.id, "ada", 1)
        assert [b.id, a.id] == store_kit.ids(sort=SortOrder.TOP)
        store_kit.store.vote(b.id, "ada", 0)
        store_kit.store.vote(a.id, "ada", -1)
        assert [b.id, a.id] == store_kit.ids(sort=SortOrder.TOP)
