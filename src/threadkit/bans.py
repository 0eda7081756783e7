"""Bans and searches: the moderation admin's records, shared by every store.

A :class:`Ban` keeps one author out, by their identity key, their email
address or their network address (one IP, or a prefix such as
``203.0.113.0/24``), until a time or for good. A *shadow* ban does not refuse
the comment: it is stored as spam with the reason ``shadow_banned``, which only
its author sees, shown to them as if it were published (see
:class:`threadkit.moderation.BanCheck`).

:class:`CommentSearch` is what the admin's search form asks a store for:
comments by an author's name (a substring, any case), email (whole address,
any case) or IP (an address or a prefix), in some statuses, optionally within
one site's threads (a thread-key prefix).

>>> from datetime import UTC, datetime
>>> ban = Ban(BanKind.IP, "203.0.113.0/24", datetime(2026, 1, 1, tzinfo=UTC))
>>> ban.matches(author_key="anonymous:b1", email=None, ip="203.0.113.9")
True
>>> ban.matches(author_key="anonymous:b1", email=None, ip="198.51.100.1")
False
"""

from __future__ import annotations

import enum
import ipaddress
from datetime import datetime

import attrs

from .errors import ValidationError
from .models import Status

__all__ = ["CODE_SHADOW_BANNED", "Ban", "BanKind", "CommentSearch", "check_ban_value"]

CODE_SHADOW_BANNED = "shadow_banned"
"""The reason code a shadow-banned comment is stored (as spam) with."""


class BanKind(enum.Enum):
    """What a ban matches: an identity key, an email address, or an IP or IP prefix."""

    IDENTITY = "identity"
    EMAIL = "email"
    IP = "ip"


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(value, strict=False)


def check_ban_value(kind: BanKind, value: str) -> str:
    """Return ``value`` normalized for ``kind``; raise ``ValidationError`` if it cannot match.

    Emails are lower-cased; an IP is an address or a network
    (``203.0.113.0/24``, ``2001:db8::/32``), written in its short form.
    """
    text = value.strip()
    if not text:
        raise ValidationError("required", "Say who to ban.", field="value")
    if len(text) > 512:
        raise ValidationError("too_long", "A ban value has at most 512 characters.", field="value")
    if kind is BanKind.EMAIL:
        if "@" not in text:
            message = f"{text!r} is not an email address."
            raise ValidationError("invalid_email", message, field="value")
        return text.lower()
    if kind is BanKind.IP:
        try:
            network = _network(text)
        except ValueError:
            raise ValidationError(
                "invalid",
                f"{text!r} is not an IP address or network (e.g. 203.0.113.7 or 203.0.113.0/24).",
                field="value",
            ) from None
        return str(network.network_address) if network.num_addresses == 1 else str(network)
    return text


@attrs.frozen
class Ban:
    """One ban: who (``kind`` and ``value``), since and until when, shadow or not, why, by whom.

    ``until`` is ``None`` for a permanent ban. ``id`` is 0 until a store keeps it.
    """

    kind: BanKind
    value: str
    created_at: datetime
    until: datetime | None = None
    shadow: bool = False
    reason: str = ""
    created_by: str = ""
    id: int = 0

    def active(self, now: datetime) -> bool:
        """Whether the ban still holds at ``now``."""
        return self.until is None or now < self.until

    def matches(self, *, author_key: str, email: str | None, ip: str) -> bool:
        """Whether this ban is about an author with this key, email and IP."""
        if self.kind is BanKind.IDENTITY:
            return author_key == self.value
        if self.kind is BanKind.EMAIL:
            return bool(email) and (email or "").strip().lower() == self.value
        if not ip:
            return False
        try:
            return ipaddress.ip_address(ip) in _network(self.value)
        except ValueError:
            return False


@attrs.frozen
class CommentSearch:
    """What to look for across threads; empty fields match everything.

    ``name`` is a substring of the author's name (any case), ``email`` the
    whole address (any case), ``ip`` an address or the start of one
    (``"203.0.113."``), ``statuses`` the statuses wanted (empty: all but
    deleted placeholders), ``thread_prefix`` the start of the thread keys (one
    site's threads on a shared server).
    """

    name: str = ""
    email: str = ""
    ip: str = ""
    statuses: tuple[Status, ...] = ()
    thread_prefix: str = ""

    def wanted_statuses(self) -> tuple[Status, ...]:
        """Return the statuses to list: those asked for, or every one but ``deleted``."""
        if self.statuses:
            return self.statuses
        return (Status.APPROVED, Status.PENDING, Status.SPAM)

    def matches(self, *, thread_key: str, name: str, email: str | None, ip: str) -> bool:
        """Whether a comment with these fields is a hit (the reference for every store)."""
        if self.thread_prefix and not thread_key.startswith(self.thread_prefix):
            return False
        if self.name and self.name.lower() not in name.lower():
            return False
        if self.email and (email or "").lower() != self.email.strip().lower():
            return False
        return not self.ip or ip.startswith(self.ip.strip())
