r"""``ImpersonationGuard``: refuse anonymous names that read like someone else's.

An anonymous commenter types any name they like. Without this step, "Demo
Moderator", ``\u0430dmin`` (a Cyrillic a), ``\uff41\uff44\uff4d\uff49\uff4e``
(fullwidth) or ``ad\u200bmin`` (a zero-width space inside) look on the page
exactly like the real moderator or a verified author. The step compares the name's
:func:`threadkit.names.name_key` (NFKC, default-ignorables removed, TR39
skeleton, case folded) with the keys of the names it protects:

* the names the site reserves (``reserved=``, or the Flask setting
  ``THREADKIT_RESERVED_NAMES``): its moderators and staff, "admin" and so on;
* the names of verified authors (an OAuth / OpenID login, the host site's
  users) that the store has seen, read through the store's
  ``verified_author_names()`` when it has one (both built-in stores do): what
  is new at most every ``refresh`` (default one minute), everything again
  every ``reload`` (default one hour, which also forgets erased authors), per
  process, timed by ``time.monotonic`` (a cache's age, not moderation time);
* the names of verified authors and moderators who posted through this
  process since then, at once.

Verified authors and moderators themselves are never checked: their name
comes from their login. Reason codes (action ``REJECT``, field ``name``):
``name_reserved`` and ``name_confusable``; the message names the protected
name and asks for another.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Protocol, runtime_checkable

from threadkit.models import Candidate, Verdict
from threadkit.moderation._verdicts import ACCEPT
from threadkit.names import name_key

__all__ = ["ImpersonationGuard", "VerifiedNames"]


@runtime_checkable
class VerifiedNames(Protocol):
    """A store that can list the display names of verified authors.

    Contract: ``verified_author_names(after_id)`` returns the distinct
    ``author.name`` of comments with an id above ``after_id`` whose author is
    verified (any status but deleted placeholders), and the largest comment
    id it looked at (at least ``after_id``), so the next call asks only for
    what is new; its cost should depend on the comments after ``after_id``.
    Example::

        class MyStore:
            def verified_author_names(self, after_id: int = 0) -> tuple[list[str], int]:
                new = [c for c in self.rows if c.id > after_id]
                names = {c.author.name for c in new if c.author.verified}
                return sorted(names), max([after_id, *(c.id for c in new)])
    """

    def verified_author_names(self, after_id: int = 0) -> tuple[list[str], int]:
        """Return verified authors' names of comments after ``after_id``, and the last id."""
        ...


class ImpersonationGuard:
    """Reject an unverified commenter whose name reads like a protected one.

    ``store`` supplies verified authors' names when it implements
    :class:`VerifiedNames` (``None``: only ``reserved`` and what this process
    sees). ``reserved`` are names nobody may take without logging in.
    ``refresh`` is how stale the store's names may get in one process and
    ``reload`` how often they are read whole again; ``clock`` gives seconds
    (``time.monotonic``) and is there for tests.
    """

    name = "impersonation"
    #: Ids read again on each refresh, for writes that committed out of id order.
    OVERLAP = 1000

    def __init__(
        self,
        store: object | None = None,
        *,
        reserved: Iterable[str] = (),
        refresh: timedelta = timedelta(minutes=1),
        reload: timedelta = timedelta(hours=1),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store if isinstance(store, VerifiedNames) else None
        self.refresh = refresh
        self.reload = reload
        self._clock = clock
        self._lock = threading.Lock()
        self._reserved: dict[str, str] = {}
        self._verified: dict[str, str] = {}
        self._seen: dict[str, str] = {}
        self._last_id = 0
        self._refreshed_at: float | None = None
        self._reloaded_at: float | None = None
        self.reserve(reserved)

    def reserve(self, names: Iterable[str]) -> None:
        """Add ``names`` to the reserved names (the web adapter passes its setting here)."""
        with self._lock:
            for reserved in names:
                key = name_key(reserved)
                if key:
                    self._reserved.setdefault(key, reserved)

    def __eq__(self, other: object) -> bool:
        """Equal guards protect the same names from the same store with the same timing."""
        if not isinstance(other, ImpersonationGuard):
            return NotImplemented
        mine = (self.refresh, self.reload, self.reserved)
        return self.store is other.store and mine == (other.refresh, other.reload, other.reserved)

    __hash__ = None  # type: ignore[assignment]  # mutable (reserve): not hashable

    def __repr__(self) -> str:
        return f"ImpersonationGuard(store={self.store!r}, reserved={self.reserved!r})"

    @property
    def reserved(self) -> tuple[str, ...]:
        """The reserved names, as given."""
        with self._lock:
            return tuple(self._reserved.values())

    def check(self, candidate: Candidate) -> Verdict:
        """Reject ``candidate`` if an unverified author's name reads like a protected one."""
        author = candidate.author
        key = name_key(author.name)
        if candidate.moderator or author.verified:
            if key:
                with self._lock:
                    self._seen.setdefault(key, author.name)
            return ACCEPT
        if not key:
            return Verdict.reject(
                self.name,
                "invisible_name",
                "The name has no visible letter, digit or symbol; please type a name"
                " people can read.",
            )
        with self._lock:
            reserved = self._reserved.get(key)
        if reserved is not None:
            return Verdict.reject(
                self.name,
                "name_reserved",
                f"The name {author.name!r} looks like {reserved!r}, a name reserved on this"
                " site; please choose another name (or log in if it is yours).",
            )
        verified = self._verified_name(key)
        if verified is not None:
            return Verdict.reject(
                self.name,
                "name_confusable",
                f"The name {author.name!r} looks like {verified!r}, a verified author;"
                " please choose another name (or log in if it is yours).",
            )
        return ACCEPT

    def _verified_name(self, key: str) -> str | None:
        """Return the verified or moderator name with this key, reading the store's if stale."""
        if self.store is not None:
            self._update(self.store)
        with self._lock:
            return self._seen.get(key) or self._verified.get(key)

    def _update(self, store: VerifiedNames) -> None:
        """Read what is new in the store's verified names (or all of them), if it is time."""
        now = self._clock()
        with self._lock:
            reloaded, refreshed = self._reloaded_at, self._refreshed_at
            whole = reloaded is None or now - reloaded >= self.reload.total_seconds()
            due = refreshed is None or now - refreshed >= self.refresh.total_seconds()
            after = 0 if whole else max(0, self._last_id - self.OVERLAP)
        if not (whole or due):
            return
        names, last = store.verified_author_names(after)
        keyed = {key: name for name in names if (key := name_key(name))}
        with self._lock:
            if whole:
                self._verified, self._last_id, self._reloaded_at = {}, 0, now
            for verified_key, name in keyed.items():
                self._verified.setdefault(verified_key, name)
            self._last_id = max(self._last_id, last)
            self._refreshed_at = now
