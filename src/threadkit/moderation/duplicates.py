"""``DuplicateDetection``: refuse the same comment twice."""

from __future__ import annotations

import attrs

from threadkit.models import Candidate, Verdict
from threadkit.moderation.history import ModerationHistory

__all__ = ["DuplicateDetection"]


@attrs.define
class DuplicateDetection:
    """Reject a comment its author already wrote, word for word, in the same thread.

    Catches double-clicked submit buttons and copy-paste bots. The body is
    compared exactly (``CommentStore.has_duplicate``), in any status. Skipped
    when re-checking an existing comment, which would otherwise match itself.

    Reason code: ``duplicate`` (action ``REJECT``).
    """

    store: ModerationHistory
    name: str = "duplicates"

    def check(self, candidate: Candidate) -> Verdict:
        """Reject ``candidate`` if its author already posted this body in this thread."""
        if candidate.comment_id is not None:
            return Verdict.accept()
        if not self.store.has_duplicate(candidate.thread.key, candidate.author.key, candidate.body):
            return Verdict.accept()
        return Verdict.reject(
            self.name, "duplicate", "You already posted this comment in this thread."
        )
