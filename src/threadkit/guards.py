"""Write guards: conditions a store re-checks inside the transaction that writes.

A moderation step that asks the store's history (has this author posted this
body here? has this IP posted in the last 15 seconds?) answers *before* the
write; two identical requests arriving together both hear "no" and both get
stored. So the step also hands the engine a *guard* describing the same
condition, the engine passes it with the write, and the store checks it again
while it holds a lock that every competing write must wait for (the thread's
row for duplicates; a per-IP / per-author / per-voter lock for rate limits).
A guard that trips raises the very error the step would have raised, so a
client sees the same 422 or 429 whichever check caught it.

Guards ride on :class:`~threadkit.models.NewComment` (``guards``) and are
passed to :meth:`~threadkit.ports.CommentStore.vote` (``guards``). A store
must check every guard it is given; ``threadkit.testing.CommentStoreSuite``
checks that it does, with parallel writers.

>>> guard = MinInterval("ip", "203.0.113.5", 15)
>>> from datetime import UTC, datetime, timedelta
>>> now = datetime(2026, 1, 1, tzinfo=UTC)
>>> guard.error(now - timedelta(seconds=5), now).retry_after
10.0
>>> guard.error(now - timedelta(seconds=20), now) is None
True
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from typing import Literal

import attrs

from .errors import RateLimitedError, RejectedError, ThreadClosedError, ValidationError
from .models import Reason

__all__ = [
    "IDEMPOTENCY_KEY_MAX",
    "CommentGuard",
    "Guard",
    "IdempotencyKey",
    "MinInterval",
    "NoDuplicate",
    "OpenThread",
    "VoteGuard",
    "VoteQuota",
    "too_fast_message",
]

IDEMPOTENCY_KEY_MAX = 255
"""Longest idempotency key accepted, in characters (visible ASCII only)."""


def too_fast_message(wait: float) -> str:
    """Return the message of a flood-control refusal that asks to wait ``wait`` seconds."""
    return f"You are posting too quickly; please wait {math.ceil(wait)} seconds."


def _too_many(step: str, code: str, message: str, wait: float) -> RateLimitedError:
    """Return a rate-limit refusal that keeps its reason, as a moderation step's would."""
    return RateLimitedError(code, message, retry_after=wait, reasons=(Reason(step, code, message),))


@attrs.frozen
class NoDuplicate:
    """Store nothing if the author already wrote exactly this body in this thread.

    The store compares the draft's ``thread_key``, ``author.key`` and
    ``body_source`` with every stored comment, in any status, while holding
    the thread's lock.
    """

    step: str = "duplicates"
    code: str = "duplicate"
    message: str = "You already posted this comment in this thread."

    def error(self) -> RejectedError:
        """Return the error to raise when a duplicate is found (HTTP 422)."""
        reason = Reason(self.step, self.code, self.message)
        return RejectedError(self.code, self.message, reasons=(reason,))


@attrs.frozen
class OpenThread:
    """Store nothing if the thread was closed after the engine found it open.

    The engine puts it on every new comment but a moderator's (moderators may
    post in a closed thread), so a post checked just before a moderator closed
    the thread is refused rather than stored after the close was acknowledged.
    The store reads the thread's ``closed`` flag while it holds the thread's
    lock, which closing the thread takes too (it writes that row).
    """

    code: str = "thread_closed"
    message: str = "This thread is closed to new comments."

    def error(self) -> ThreadClosedError:
        """Return the error to raise when the thread is closed (HTTP 409)."""
        return ThreadClosedError(self.code, self.message)


@attrs.frozen
class MinInterval:
    """Store nothing if the newest comment from this IP (or author) is under ``seconds`` old.

    ``scope`` says what ``value`` is: ``"ip"`` (``RequestContext.ip``) or
    ``"author"`` (``Identity.key``). "Now" is the draft's ``created_at``.
    """

    scope: Literal["ip", "author"]
    value: str
    seconds: float
    step: str = "flood-control"
    code: str = "too_fast"

    @property
    def lock_name(self) -> str:
        """The name of the lock a store holds while it checks and writes."""
        return f"{self.scope}:{self.value}"

    def error(self, latest: datetime | None, now: datetime) -> RateLimitedError | None:
        """Return the error to raise given the newest matching comment's time, or ``None``."""
        if latest is None:
            return None
        elapsed = (now - latest).total_seconds()
        wait = min(self.seconds, max(0.0, self.seconds - elapsed))
        if wait <= 0:
            return None
        return _too_many(self.step, self.code, too_fast_message(wait), wait)


@attrs.frozen
class VoteQuota:
    """Store no new vote if this IP already cast ``limit`` in the window, here.

    ``scope`` ``"thread"`` counts the IP's votes on every comment of the
    comment's thread, ``"comment"`` on that one comment. Only votes still
    standing and cast after ``now - window_seconds`` count; changing or
    withdrawing a vote is never refused.
    """

    ip: str
    scope: Literal["thread", "comment"]
    limit: int
    window_seconds: float
    step: str = "vote-limit"
    code: str = "too_many_votes"

    @property
    def lock_name(self) -> str:
        """The name of the lock a store holds while it counts and writes."""
        return f"vote:{self.ip}"

    def since(self, now: datetime) -> datetime:
        """Return the start of the window that ends at ``now``."""
        return now - timedelta(seconds=self.window_seconds)

    def error(self, cast: list[datetime], now: datetime) -> RateLimitedError | None:
        """Return the error to raise given the times of the votes counted, or ``None``."""
        if len(cast) < self.limit:
            return None
        # The window frees a place when the oldest vote that still fills it leaves.
        ordered = sorted(cast)
        freed = ordered[len(ordered) - self.limit] + timedelta(seconds=self.window_seconds)
        wait = max(1.0, (freed - now).total_seconds())
        where = "this thread" if self.scope == "thread" else "this comment"
        message = (
            f"Too many votes on {where} from your network; please wait {math.ceil(wait)} seconds."
        )
        return _too_many(self.step, self.code, message, wait)


CommentGuard = NoDuplicate | MinInterval | OpenThread
"""A guard a store checks before it adds a comment."""

VoteGuard = VoteQuota
"""A guard a store checks before it adds a new vote."""

Guard = NoDuplicate | MinInterval | VoteQuota
"""Any guard a moderation or vote step can put on its verdict."""


@attrs.frozen
class IdempotencyKey:
    """A client's idempotency key for one post, scoped to its author.

    Build it with :meth:`for_post`, which validates the raw key. A store keeps
    ``digest`` (unique) with the new comment's id until ``expires_at``; a
    later post with the same digest gets that comment back instead of a new
    one, if ``fingerprint`` (what was posted) matches, and is refused if not.
    """

    digest: str
    scope: str
    fingerprint: str
    expires_at: datetime

    @classmethod
    def for_post(
        cls,
        raw: str,
        *,
        author_key: str,
        thread_key: str,
        parent_id: int | None,
        body: str,
        expires_at: datetime,
    ) -> IdempotencyKey:
        """Validate ``raw`` and bind it to one author and what they posted.

        Raises ``ValidationError`` (field ``Idempotency-Key``) for an empty
        key, one longer than :data:`IDEMPOTENCY_KEY_MAX` or one with
        characters other than visible ASCII.
        """
        if not raw or len(raw) > IDEMPOTENCY_KEY_MAX or not all("!" <= ch <= "~" for ch in raw):
            raise ValidationError(
                "invalid_idempotency_key",
                f"An Idempotency-Key is 1 to {IDEMPOTENCY_KEY_MAX} visible ASCII characters"
                " (no spaces), e.g. a random UUID; send a new one for each new comment.",
                field="Idempotency-Key",
            )
        digest = _digest(author_key, raw)
        fingerprint = _digest(thread_key, "" if parent_id is None else str(parent_id), body)
        return cls(digest, author_key, fingerprint, expires_at)

    def reused(self) -> ValidationError:
        """Return the error for this key sent again with a different comment (HTTP 422)."""
        return ValidationError(
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different comment;"
            " send a new key for each new comment.",
            field="Idempotency-Key",
        )

    def gone(self) -> ValidationError:
        """Return the error for this key when the comment it made was since removed (HTTP 422)."""
        return ValidationError(
            "idempotency_key_spent",
            "The comment first posted with this Idempotency-Key has been deleted;"
            " send a new key to post it again.",
            field="Idempotency-Key",
        )


def _digest(*parts: str) -> str:
    """Return a 256-bit hex digest of ``parts`` (length-prefixed, so no two lists collide)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()
