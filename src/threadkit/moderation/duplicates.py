"""``DuplicateDetection``: refuse the same comment twice."""

from __future__ import annotations

import attrs

from threadkit.guards import NoDuplicate
from threadkit.models import Action, Candidate, Verdict
from threadkit.moderation._verdicts import ACCEPT
from threadkit.moderation.history import ModerationHistory

__all__ = ["DuplicateDetection"]


@attrs.define
class DuplicateDetection:
    """Reject a comment its author already wrote, word for word, in the same thread.

    Catches double-clicked submit buttons and copy-paste bots. The body is
    compared exactly (``CommentStore.has_duplicate``), in any status. Skipped
    when re-checking an existing comment, which would otherwise match itself.

    Reason code: ``duplicate`` (action ``REJECT``).

    The store is asked first for a cheap early answer; an accepting verdict
    also carries a :class:`~threadkit.guards.NoDuplicate` guard, which the
    store checks again under the thread's lock in the transaction that adds
    the comment, so a double-clicked button stores one comment, not two.
    """

    store: ModerationHistory
    name: str = "duplicates"

    def check(self, candidate: Candidate) -> Verdict:
        """Reject ``candidate`` if its author already posted this body in this thread."""
        if candidate.comment_id is not None:
            return ACCEPT
        guard = NoDuplicate(step=self.name)
        if not self.store.has_duplicate(candidate.thread.key, candidate.author.key, candidate.body):
            return Verdict(Action.ACCEPT, guards=(guard,))
        return Verdict.reject(self.name, guard.code, guard.message)
