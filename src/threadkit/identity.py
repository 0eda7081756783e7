"""Identity providers that need no network: anonymous commenters and the host's own users.

Two of the three kinds of :mod:`threadkit.ports` identity provider live here;
the third kind, logins elsewhere (Google, GitHub, any OpenID Connect issuer),
is in the ``threadkit-social`` adapter because it does network IO.

:class:`AnonymousProvider` (kind ``"form"``)
    The classic "Leave a Reply" form: name, email, website. Which fields are
    required is configurable. The resulting identity is keyed by the browser
    (a random id the web adapter keeps in a signed cookie), never verified.

:class:`CallableSessionProvider` (kind ``"session"``)
    The host application's logged-in users comment as themselves: pass one
    function that turns the current request into an :class:`Identity` (or
    ``None`` for a visitor who is not logged in).

>>> provider = AnonymousProvider()
>>> who = provider.identify({"name": " Ada ", "email": "ada@Example.org"}, "b-123")
>>> (who.key, who.name, who.email, who.verified)
('anonymous:b-123', 'Ada', 'ada@example.org', False)
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Literal

import attrs

from .errors import ValidationError
from .limits import NAME_MAX_CHARS
from .models import Identity
from .names import require_visible_name
from .text import clean_email, clean_name, clean_url

__all__ = ["AnonymousProvider", "CallableSessionProvider", "avatar_seed"]

IDENTICON_PREFIX = "identicon:"
"""Prefix of the avatar value :class:`AnonymousProvider` sets when given a secret."""


def avatar_seed(email: str | None, browser_id: str, *, secret: bytes) -> str:
    """Return a stable, private seed for drawing an identicon for an anonymous commenter.

    The seed is ``HMAC-SHA256(secret, lowercased email)`` when an email is
    given, else ``HMAC-SHA256(secret, "browser:" + browser_id)``, as 32 hex
    characters. Nothing leaves the server. Unlike a plain hash of the email
    (what Gravatar publishes), the keyed hash cannot be reversed by hashing a
    list of known addresses, and it differs between sites with different
    secrets, so it does not link one person's comments across sites.

    >>> avatar_seed("Ada@Example.org", "b-1", secret=b"k") == avatar_seed(
    ...     "ada@example.org", "b-2", secret=b"k")
    True
    """
    message = f"email:{email.lower()}" if email else f"browser:{browser_id}"
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()[:32]


# eq=False: a provider is compared by identity, as before, and stays hashable.
@attrs.define(kw_only=True, eq=False)
class AnonymousProvider:
    """Identifies a commenter from the name / email / website they type in.

    ``require_name`` and ``require_email`` say which fields must be filled in
    (the defaults ask for a name only; WordPress' "comment author must fill
    out name and email" is ``require_email=True``); the website is always
    optional. Values are checked with :mod:`threadkit.text`; an invalid or
    missing one raises :class:`ValidationError` naming the field (``"name"``,
    ``"email"`` or ``"url"``); a name with nothing visible (zero-width or
    blank characters only) is ``invisible_name``. A missing name with
    ``require_name=False`` becomes ``anonymous_name`` (``"Anonymous"``).

    The identity is ``Identity("anonymous", browser_id, name, email, url,
    avatar, verified=False)``: keyed by the browser, so whoever holds the
    cookie can edit their own comments, and unverified, since anyone may type
    anyone's name. The email is kept on the identity for notifications and
    moderators; it is private and never shown (the serializer leaves it out).

    With ``avatar_secret`` set, ``avatar`` is ``"identicon:<seed>"`` where
    ``<seed>`` is :func:`avatar_seed` (a keyed hash, no external request);
    front ends draw a pattern from the seed. It is ``None`` otherwise. The
    value is not a URL: templates must not put it into ``<img src>`` as is.
    """

    name: str = "anonymous"
    require_name: bool = True
    require_email: bool = False
    max_name_chars: int = NAME_MAX_CHARS
    anonymous_name: str = "Anonymous"
    # Kept out of repr so a logged provider does not leak the key.
    avatar_secret: bytes | None = attrs.field(default=None, repr=False)
    kind: Literal["form"] = attrs.field(default="form", init=False)

    @property
    def fields(self) -> tuple[str, ...]:
        """The form fields this provider reads, in form order."""
        return ("name", "email", "url")

    @property
    def required_fields(self) -> tuple[str, ...]:
        """The fields that must be filled in, for the form's ``required`` markers."""
        return tuple(
            field
            for field, required in (("name", self.require_name), ("email", self.require_email))
            if required
        )

    def identify(self, fields: Mapping[str, str], browser_id: str) -> Identity:
        """Validate the form fields and return the unverified identity they describe."""
        if not browser_id:
            raise ValueError("browser_id must be a non-empty value from the web adapter")
        name = self._optional(fields, "name", self.require_name)
        display = (
            require_visible_name(clean_name(name, max_chars=self.max_name_chars))
            if name is not None
            else self.anonymous_name
        )
        email_text = self._optional(fields, "email", self.require_email)
        email = clean_email(email_text) if email_text is not None else None
        url_text = self._optional(fields, "url", False)
        url = clean_url(url_text) if url_text is not None else None
        avatar = None
        if self.avatar_secret is not None:
            avatar = IDENTICON_PREFIX + avatar_seed(email, browser_id, secret=self.avatar_secret)
        return Identity(self.name, browser_id, display, email, url, avatar, verified=False)

    @staticmethod
    def _optional(fields: Mapping[str, str], field: str, required: bool) -> str | None:
        """Return the raw value of ``field``, ``None`` if blank; refuse a blank required one."""
        value = fields.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                what = {"name": "a name", "email": "an email address"}.get(field, field)
                raise ValidationError("required", f"Please enter {what}.", field=field)
            return None
        return value


class CallableSessionProvider:
    """Lets the host application's logged-in users comment as themselves.

    ``get_user`` receives whatever request object the web adapter passes
    (Flask: ``flask.request``) and returns the user's :class:`Identity`, or
    ``None`` when nobody is logged in. Identities it returns should use
    ``name`` as their provider and ``verified=True``; this class does not
    rewrite them, but it refuses one whose provider differs, which would
    otherwise let the host's user ``42`` and another provider's user ``42``
    share an account key. An exception from ``get_user`` propagates: a broken
    host session is a bug to see, not an anonymous visitor.

    Example with Flask-Login::

        def current_user_identity(request: object) -> Identity | None:
            user = flask_login.current_user
            if not user.is_authenticated:
                return None
            return Identity("site", str(user.id), user.display_name,
                            email=user.email, verified=True)

        site_users = CallableSessionProvider("site", current_user_identity, login_url="/login")

    ``login_url`` is the host's login page: when no other provider lets a visitor
    comment, the thread links there (adding ``next=`` back to the form) instead of
    showing a form nobody can fill in.
    """

    kind: Literal["session"] = "session"

    def __init__(
        self,
        name: str,
        get_user: Callable[[object], Identity | None],
        *,
        login_url: str | None = None,
    ) -> None:
        self.name = name
        self.get_user = get_user
        self.login_url = login_url

    def current(self, request: object) -> Identity | None:
        """Return the logged-in user's identity, or ``None`` for a visitor."""
        identity = self.get_user(request)
        if identity is not None and identity.provider != self.name:
            raise ValueError(
                f"get_user returned an identity of provider {identity.provider!r}; "
                f"this provider is {self.name!r}"
            )
        return identity
