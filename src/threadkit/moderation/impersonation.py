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
  ``verified_author_names()`` when it has one (both built-in stores do), at
  most every ``refresh`` (default five minutes) per process;
* the names of verified authors and moderators who posted through this
  process since then, at once.

Verified authors and moderators themselves are never checked: their name
comes from their login. Reason codes (action ``REJECT``, field ``name``):
``name_reserved`` and ``name_confusable``; the message names the protected
name and asks for another.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from threadkit.models import Candidate, Verdict
from threadkit.names import name_key

__all__ = ["ImpersonationGuard", "VerifiedNames"]


@runtime_checkable
class VerifiedNames(Protocol):
    """A store that can list the display names of verified authors.

    Contract: ``verified_author_names()`` returns every distinct
    ``author.name`` of comments whose author is verified (any status but
    deleted placeholders); order does not matter. Example::

        class MyStore:
            def verified_author_names(self) -> list[str]:
                return sorted({c.author.name for c in self.rows if c.author.verified})
    """

    def verified_author_names(self) -> list[str]:
        """Return the distinct names of verified authors."""
        ...


class ImpersonationGuard:
    """Reject an unverified commenter whose name reads like a protected one.

    ``store`` supplies verified authors' names when it implements
    :class:`VerifiedNames` (``None``: only ``reserved`` and what this process
    sees). ``reserved`` are names nobody may take without logging in.
    ``refresh`` is how stale the store's list may get in one process.
    """

    name = "impersonation"

    def __init__(
        self,
        store: object | None = None,
        *,
        reserved: Iterable[str] = (),
        refresh: timedelta = timedelta(minutes=5),
    ) -> None:
        self.store = store if isinstance(store, VerifiedNames) else None
        self.refresh = refresh
        self._lock = threading.Lock()
        self._reserved: dict[str, str] = {}
        self._verified: dict[str, str] = {}
        self._seen: dict[str, str] = {}
        self._loaded_at: datetime | None = None
        self.reserve(reserved)

    def reserve(self, names: Iterable[str]) -> None:
        """Add ``names`` to the reserved names (the web adapter passes its setting here)."""
        with self._lock:
            for reserved in names:
                key = name_key(reserved)
                if key:
                    self._reserved.setdefault(key, reserved)

    def __eq__(self, other: object) -> bool:
        """Equal guards protect the same names from the same store with the same refresh."""
        if not isinstance(other, ImpersonationGuard):
            return NotImplemented
        return (self.store is other.store, self.refresh, self.reserved) == (
            True,
            other.refresh,
            other.reserved,
        )

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
            return Verdict.accept()
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
        verified = self._verified_name(key, candidate.now)
        if verified is not None:
            return Verdict.reject(
                self.name,
                "name_confusable",
                f"The name {author.name!r} looks like {verified!r}, a verified author;"
                " please choose another name (or log in if it is yours).",
            )
        return Verdict.accept()

    def _verified_name(self, key: str, now: datetime) -> str | None:
        """Return the verified or moderator name with this key, loading the store's if stale."""
        with self._lock:
            stale = self._loaded_at is None or now - self._loaded_at >= self.refresh
        if stale and self.store is not None:
            names = self.store.verified_author_names()
            keyed: dict[str, str] = {}
            for verified in names:
                verified_key = name_key(verified)
                if verified_key:
                    keyed.setdefault(verified_key, verified)
            with self._lock:
                self._verified = keyed
                self._loaded_at = now
        with self._lock:
            return self._seen.get(key) or self._verified.get(key)
