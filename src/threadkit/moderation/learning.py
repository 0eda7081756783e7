"""``LearnedBlocklist``: a learning step that remembers authors and IPs marked as spam."""

from __future__ import annotations

import logging
from typing import Literal, Protocol

import attrs

from threadkit.models import Action, Candidate, Comment, Reason, Verdict

__all__ = ["Blocklist", "BlocklistKind", "LearnedBlocklist", "MemoryBlocklist"]

_log = logging.getLogger(__name__)

BlocklistKind = Literal["author", "ip"]
"""What a blocklist entry names: an ``Identity.key`` or an IP address."""


class Blocklist(Protocol):
    """Where :class:`LearnedBlocklist` keeps what it learned.

    Contract: entries are ``(kind, value)`` pairs; ``add`` and ``discard``
    are idempotent. Back it with your database or Redis so every worker
    sees the same list. Example::

        class RedisBlocklist:
            def __init__(self, redis) -> None:
                self.redis = redis

            def contains(self, kind, value) -> bool:
                return bool(self.redis.sismember(f"threadkit:block:{kind}", value))

            def add(self, kind, value) -> None:
                self.redis.sadd(f"threadkit:block:{kind}", value)

            def discard(self, kind, value) -> None:
                self.redis.srem(f"threadkit:block:{kind}", value)
    """

    def contains(self, kind: BlocklistKind, value: str) -> bool:
        """Whether ``value`` is on the list."""
        ...

    def add(self, kind: BlocklistKind, value: str) -> None:
        """Put ``value`` on the list."""
        ...

    def discard(self, kind: BlocklistKind, value: str) -> None:
        """Take ``value`` off the list, if it is there."""
        ...


@attrs.define
class MemoryBlocklist:
    """A :class:`Blocklist` in a Python set: for tests and single-process sites only."""

    entries: set[tuple[str, str]] = attrs.field(factory=set)

    def contains(self, kind: BlocklistKind, value: str) -> bool:
        """Whether ``value`` is on the list."""
        return (kind, value) in self.entries

    def add(self, kind: BlocklistKind, value: str) -> None:
        """Put ``value`` on the list."""
        self.entries.add((kind, value))

    def discard(self, kind: BlocklistKind, value: str) -> None:
        """Take ``value`` off the list, if it is there."""
        self.entries.discard((kind, value))


@attrs.define
class LearnedBlocklist:
    """Mark as spam comments from authors and IPs a moderator has marked as spam.

    A small example of a :class:`threadkit.ports.LearningStep`. When a
    moderator marks a comment as spam, its author and IP go on the
    ``blocklist``; when a moderator says a comment is not spam ("ham"),
    they come off it again. Moderators are never judged. ``block_ips``
    turns the IP half off (shared addresses: offices, mobile carriers).

    Reason codes: ``blocked_author`` and ``blocked_ip`` (action ``SPAM``).
    """

    blocklist: Blocklist
    block_ips: bool = True
    name: str = "learned-blocklist"

    def check(self, candidate: Candidate) -> Verdict:
        """Mark ``candidate`` as spam if its author or IP was marked as spam before."""
        if candidate.moderator:
            return Verdict.accept()
        reasons = []
        if self.blocklist.contains("author", candidate.author.key):
            message = "A moderator marked an earlier comment by this author as spam."
            reasons.append(Reason(self.name, "blocked_author", message))
        ip = candidate.context.ip
        if self.block_ips and ip and self.blocklist.contains("ip", ip):
            message = "A moderator marked an earlier comment from this IP address as spam."
            reasons.append(Reason(self.name, "blocked_ip", message))
        return Verdict(Action.SPAM, tuple(reasons)) if reasons else Verdict.accept()

    def learn(self, comment: Comment, is_spam: bool) -> None:
        """Block (spam) or unblock (not spam) ``comment``'s author and IP.

        A failing blocklist is logged, not raised: the moderator's decision
        itself has already been stored.
        """
        change = self.blocklist.add if is_spam else self.blocklist.discard
        try:
            change("author", comment.author.key)
            if self.block_ips and comment.context.ip:
                change("ip", comment.context.ip)
        except Exception:
            _log.warning("could not update the blocklist for comment %s", comment.id, exc_info=True)
