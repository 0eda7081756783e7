"""``AutoClose``: stop taking comments on old threads."""

from __future__ import annotations

from datetime import timedelta

import attrs

from threadkit.models import Candidate, Verdict
from threadkit.moderation._verdicts import ACCEPT

__all__ = ["AutoClose"]


def _days(value: float) -> float:
    if not value > 0:
        raise ValueError(f"days must be more than 0, not {value}")
    try:
        timedelta(days=value)
    except OverflowError:
        raise ValueError(f"days must be at most 999,999,999, not {value}") from None
    return value


@attrs.define
class AutoClose:
    """Reject new comments once a thread is more than ``days`` days old.

    Like WordPress' "automatically close comments on posts older than N
    days". A thread closed by hand (``Thread.closed``) is the engine's
    business, not this step's. Moderators may still post, and re-checking
    a comment written while the thread was open does not reject it.
    Exactly ``days`` after the thread was created it is still open.

    Reason code: ``thread_closed`` (action ``REJECT``).

    >>> from threadkit.moderation.autoclose import AutoClose
    >>> AutoClose(14).days
    14
    """

    days: float = attrs.field(converter=_days)
    name: str = "auto-close"

    def check(self, candidate: Candidate) -> Verdict:
        """Reject ``candidate`` if its thread is older than ``days``."""
        if candidate.moderator or candidate.comment_id is not None:
            return ACCEPT
        if candidate.now - candidate.thread.created_at <= timedelta(days=self.days):
            return ACCEPT
        days = f"{self.days:g} day" + ("" if self.days == 1 else "s")
        return Verdict.reject(
            self.name,
            "thread_closed",
            f"This thread stopped taking comments {days} after it started.",
        )
