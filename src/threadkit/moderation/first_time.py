"""``FirstTimeApproval``: hold comments from authors who have none approved yet."""

from __future__ import annotations

import attrs

from threadkit.models import Candidate, Verdict
from threadkit.moderation._verdicts import ACCEPT
from threadkit.moderation.history import ModerationHistory

__all__ = ["FirstTimeApproval"]


@attrs.define
class FirstTimeApproval:
    """Hold a comment unless its author already has an approved comment.

    Like WordPress' "Comment author must have a previously approved
    comment": a moderator approves someone once, after which they post
    freely. ``trust_verified=True`` also lets through identities a provider
    verified (OAuth / OIDC logins, the host site's users); it is off by
    default because a verified account is not a trusted one. Moderators
    are never held.

    Reason code: ``first_comment`` (action ``HOLD``).
    """

    store: ModerationHistory
    trust_verified: bool = False
    name: str = "first-time"

    def check(self, candidate: Candidate) -> Verdict:
        """Hold ``candidate`` if its author has no approved comment yet."""
        if candidate.moderator or (self.trust_verified and candidate.author.verified):
            return ACCEPT
        if self.store.has_approved_comment(candidate.author.key):
            return ACCEPT
        return Verdict.hold(
            self.name,
            "first_comment",
            "A first comment waits for a moderator's approval.",
        )
