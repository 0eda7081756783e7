"""``FloodControl``: refuse comments posted too soon after the previous one."""

from __future__ import annotations

from datetime import datetime

import attrs

from threadkit.guards import MinInterval, too_fast_message
from threadkit.models import Action, Candidate, Verdict
from threadkit.moderation._settings import optional_not_negative
from threadkit.moderation._verdicts import ACCEPT
from threadkit.moderation.history import ModerationHistory

__all__ = ["FloodControl"]


def _seconds(value: float | None) -> float | None:
    return optional_not_negative(value, "a flood interval")


@attrs.define
class FloodControl:
    """Reject a comment that comes less than N seconds after the last one.

    Two intervals, each measured from the newest stored comment (in any
    status): ``per_ip_seconds`` from the same IP address and
    ``per_identity_seconds`` from the same author (``Identity.key``). ``0``
    or ``None`` turns one off; a request without an IP skips the IP check.
    The store answers, not process memory, so the limit holds across every
    worker. Moderators are never limited, and re-checking an existing
    comment never trips it. Rejected comments are never stored, so they do
    not count; held and spam comments do.

    Reason code: ``too_fast`` (action ``REJECT``), with
    ``Verdict.retry_after`` set to the seconds left to wait; the engine
    turns it into :class:`threadkit.errors.RateLimitedError` (HTTP 429).

    Asking the store first only rejects early and cheaply: an accepting
    verdict also carries :class:`~threadkit.guards.MinInterval` guards, which
    the store checks again under a per-IP and per-author lock in the
    transaction that adds the comment. So posts sent at the same moment from
    one address get one through per interval, never all of them.

    Example: ``FloodControl(store, per_ip_seconds=30, per_identity_seconds=None)``.
    """

    store: ModerationHistory
    per_ip_seconds: float | None = attrs.field(default=15, converter=_seconds)
    per_identity_seconds: float | None = attrs.field(default=15, converter=_seconds)
    name: str = "flood-control"

    def check(self, candidate: Candidate) -> Verdict:
        """Reject ``candidate`` if its IP or author posted too recently."""
        if candidate.moderator or candidate.comment_id is not None:
            return ACCEPT
        wait = 0.0
        guards: list[MinInterval] = []
        ip = candidate.context.ip
        if ip and self.per_ip_seconds:
            latest = self.store.latest_comment_at(ip=ip)
            wait = max(wait, _remaining(latest, candidate.now, self.per_ip_seconds))
            guards.append(MinInterval("ip", ip, self.per_ip_seconds, step=self.name))
        if self.per_identity_seconds:
            key = candidate.author.key
            latest = self.store.latest_comment_at(author_key=key)
            wait = max(wait, _remaining(latest, candidate.now, self.per_identity_seconds))
            guards.append(MinInterval("author", key, self.per_identity_seconds, step=self.name))
        if wait <= 0:
            return Verdict(Action.ACCEPT, guards=tuple(guards))
        return Verdict.reject(self.name, "too_fast", too_fast_message(wait), retry_after=wait)


def _remaining(latest: datetime | None, now: datetime, interval: float) -> float:
    """Seconds still to wait; a clock that went backwards never asks for more than ``interval``."""
    if latest is None:
        return 0.0
    elapsed = (now - latest).total_seconds()
    return min(interval, max(0.0, interval - elapsed))
