"""``BanCheck``: keep banned authors out (refused, or shadow-banned as spam)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from threadkit.bans import CODE_SHADOW_BANNED, Ban
from threadkit.models import Candidate, Verdict
from threadkit.moderation._verdicts import ACCEPT

__all__ = ["BanCheck", "BanLookup"]


@runtime_checkable
class BanLookup(Protocol):
    """The slice of a store ``BanCheck`` asks: the bans in force now.

    Every :class:`threadkit.ports.AdminStore` has it. Example::

        class NoBans:
            def active_bans(self, now: datetime) -> list[Ban]:
                return []
    """

    def active_bans(self, now: datetime) -> list[Ban]:
        """Every ban in force at ``now``, newest first."""
        ...


@attrs.define
class BanCheck:
    """Refuse a comment from a banned author; mark a shadow-banned one as spam.

    A ban matches the author's identity key, their email (any case), or the
    request's IP (an address or a network). A plain ban rejects with code
    ``banned`` (HTTP 403; the message gives the end of a timed ban, never the
    moderator's reason). A shadow ban stores the comment as spam with reason
    ``shadow_banned``: spam is seen only by its author (and moderators), and
    its author is shown it as published, so they do not learn they are
    banned. A plain ban wins over a shadow one. Moderators are never banned.
    Bans are read from the store on every post, so every worker sees a new
    one at once.

    Reason codes: ``banned`` (``REJECT``), ``shadow_banned`` (``SPAM``).
    """

    store: BanLookup
    name: str = "bans"

    def check(self, candidate: Candidate) -> Verdict:
        """Reject or shadow ``candidate`` if a ban in force matches its author."""
        if candidate.moderator:
            return ACCEPT
        found = [
            ban
            for ban in self.store.active_bans(candidate.now)
            if ban.matches(
                author_key=candidate.author.key,
                email=candidate.author.email,
                ip=candidate.context.ip,
            )
        ]
        plain = [ban for ban in found if not ban.shadow]
        if plain:
            return Verdict.reject(self.name, "banned", _message(plain))
        if found:
            return Verdict.spam(self.name, CODE_SHADOW_BANNED, "The author is shadow-banned.")
        return ACCEPT


def _message(bans: list[Ban]) -> str:
    if any(ban.until is None for ban in bans):
        return "You are banned from commenting on this site."
    last = max(ban.until for ban in bans if ban.until is not None)
    return f"You are banned from commenting on this site until {last:%Y-%m-%d %H:%M} UTC."
