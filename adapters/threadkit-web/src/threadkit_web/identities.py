"""A login kept between requests: an identity as a plain dict, and back.

A redirect login (a social provider) is remembered in the session, or in a
bearer token for a page on another origin, as a dict sealed by
:class:`~threadkit_web.sealing.Sealer`. Reading one back trusts it only while
its provider is still configured as a redirect provider.

>>> from threadkit.models import Identity
>>> alice = Identity("github", "42", "Alice", verified=True)
>>> identity_from_dict(identity_to_dict(alice), {"github": _Redirect()}) == alice
True
>>> identity_from_dict(identity_to_dict(alice), {}) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from threadkit.models import Identity
from threadkit.ports import IdentityProvider

__all__ = ["IDENTITY_FIELDS", "identity_from_dict", "identity_to_dict"]

IDENTITY_FIELDS = ("provider", "subject", "name", "email", "url", "avatar", "verified")
"""The fields of an :class:`~threadkit.models.Identity` that are kept."""


def identity_to_dict(identity: Identity) -> dict[str, Any]:
    """Return ``identity`` as a JSON-ready dict of :data:`IDENTITY_FIELDS`."""
    return {name: getattr(identity, name) for name in IDENTITY_FIELDS}


def identity_from_dict(
    value: object, providers: Mapping[str, IdentityProvider]
) -> Identity | None:
    """Return the identity kept in ``value``, or ``None`` if malformed or its provider is gone."""
    if not isinstance(value, Mapping):
        return None
    provider, subject, name = value.get("provider"), value.get("subject"), value.get("name")
    if not (isinstance(provider, str) and isinstance(subject, str) and isinstance(name, str)):
        return None
    known = providers.get(provider)
    if known is None or known.kind != "redirect":
        return None  # the provider was removed from the configuration since

    def text(key: str) -> str | None:
        item = value.get(key)
        return item if isinstance(item, str) else None

    return Identity(
        provider,
        subject,
        name,
        email=text("email"),
        url=text("url"),
        avatar=text("avatar"),
        verified=value.get("verified") is True,
    )


class _Redirect:
    """A stand-in redirect provider for the example above."""

    kind = "redirect"
