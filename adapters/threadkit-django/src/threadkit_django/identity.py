"""Who is a Django user to threadkit, and who moderates.

``request.user`` is the session identity provider: a logged-in user comments
as ``django:<pk>`` with their full name (else username), their email, and
``verified=True`` (Django vouched for them). A user moderates with the
``threadkit.moderate`` permission (``THREADKIT["MODERATE_PERMISSION"]``), or as
staff while ``THREADKIT["STAFF_MODERATE"]`` is true.
"""

from __future__ import annotations

from typing import Any, Literal

import django.conf
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url

from threadkit.models import Identity

__all__ = ["PROVIDER_NAME", "DjangoUserProvider", "identity_of", "user_moderates"]

PROVIDER_NAME = "django"
"""The provider name of Django users' identities (their keys read ``django:<pk>``)."""


def identity_of(user: Any) -> Identity | None:
    """Return the identity of a Django user, or ``None`` for an anonymous one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    name = (full or "").strip() or user.get_username()
    email = getattr(user, "email", "") or None
    return Identity(PROVIDER_NAME, str(user.pk), name, email=email, verified=True)


def user_moderates(user: Any, permission: str, *, staff: bool) -> bool:
    """Whether ``user`` (a Django user, maybe anonymous) moderates comments."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", True):
        return False
    return bool((staff and user.is_staff) or user.has_perm(permission))


class DjangoUserProvider:
    """The session identity provider backed by ``request.user``.

    ``current`` reads ``request.user`` (set by Django's
    ``AuthenticationMiddleware``) and never raises for a visitor.
    """

    kind: Literal["session"] = "session"
    label = "Django"

    def __init__(self, name: str = PROVIDER_NAME) -> None:
        self.name = name

    @property
    def login_url(self) -> str:
        """Django's login page (``settings.LOGIN_URL``), linked for a visitor who cannot comment."""
        return str(resolve_url(django.conf.settings.LOGIN_URL))

    def current(self, request: object) -> Identity | None:
        """Return the logged-in user's identity, or ``None``."""
        identity = identity_of(getattr(request, "user", None))
        if identity is None or self.name == PROVIDER_NAME:
            return identity
        return Identity(self.name, identity.subject, identity.name, identity.email, verified=True)

    def moderates(self, identity: Identity, permission: str, *, staff: bool) -> bool:
        """Whether the Django user behind ``identity`` moderates (for the moderator badge)."""
        if identity.provider != self.name or not identity.verified:
            return False
        try:
            user = get_user_model().objects.filter(pk=identity.subject).first()
        except (ValueError, ValidationError):  # not a key of this user model
            return False
        return user_moderates(user, permission, staff=staff)
