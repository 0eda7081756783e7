"""``VoteLimit``: a cap on votes from one network address, per comment and per thread."""

from __future__ import annotations

import attrs

from threadkit.guards import VoteQuota
from threadkit.models import Action, Verdict, VoteCandidate

__all__ = ["VoteLimit"]


def _limit(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise ValueError(f"a vote limit must be 1 or more (or None), not {value}")
    return value


def _window(value: float) -> float:
    if value <= 0:
        raise ValueError(f"a vote window must be more than 0 seconds, not {value}")
    return value


@attrs.define
class VoteLimit:
    """Refuse a new vote when its IP address already cast too many in the window.

    One vote per identity is the engine's rule, but an anonymous identity is
    a browser cookie, and fresh cookies cost nothing. This step caps what one
    address can add: at most ``per_comment`` votes on one comment and
    ``per_thread`` votes in one thread within ``window_seconds`` (defaults:
    5, 60 and one hour, which a household or an office behind one address
    will not reach by accident). ``None`` turns one cap off. Changing or
    withdrawing a vote is never refused; a request without an IP, and
    moderators, are not limited.

    The check is a :class:`~threadkit.guards.VoteQuota` guard the store
    counts and enforces under a per-address lock in the transaction that
    writes the vote, so votes sent at the same moment cannot overshoot.

    Reason code: ``too_many_votes``, raised as
    :class:`threadkit.errors.RateLimitedError` (HTTP 429) with the seconds
    until the window frees a place. The engine runs it by default; pass
    ``CommentEngine(..., vote_steps=[VoteLimit(per_thread=20)])`` to tune it
    or ``vote_steps=[]`` to turn it off.
    """

    per_comment: int | None = attrs.field(default=5, converter=_limit)
    per_thread: int | None = attrs.field(default=60, converter=_limit)
    window_seconds: float = attrs.field(default=3600.0, converter=_window)
    name: str = "vote-limit"

    def check(self, vote: VoteCandidate) -> Verdict:
        """Accept ``vote`` with the guards the store must enforce."""
        ip = vote.context.ip
        if not ip or vote.moderator or vote.value == 0:
            return Verdict.accept()
        guards = []
        if self.per_comment is not None:
            guards.append(
                VoteQuota(ip, "comment", self.per_comment, self.window_seconds, step=self.name)
            )
        if self.per_thread is not None:
            guards.append(
                VoteQuota(ip, "thread", self.per_thread, self.window_seconds, step=self.name)
            )
        return Verdict(Action.ACCEPT, guards=tuple(guards))
