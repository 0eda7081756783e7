"""A commenter's data, for every adapter: moderators export or erase it, commenters ask by email.

The adapter routes (see ``docs/personal-data.md``) and checks CSRF; this module
does the rest the same way everywhere:

* the moderator API's answers (:func:`export_json`, :func:`erase`) and the
  queue page's form (:func:`apply_form`, ``action=export`` or ``erase``);
* the self-service link: :func:`send_link` mails a signed link, valid for
  ``THREADKIT_DATA_LINK_TTL`` (one hour), to an address some comment was
  written with, through ``THREADKIT_MAILER`` (any object with
  ``send(email.message.EmailMessage)``, such as ``threadkit_notify.SmtpMailer``)
  from ``THREADKIT_MAIL_FROM``; the answer is the same whether or not the
  address is known. :func:`email_of` reads the link back (a changed, expired or
  wrong-purpose token is a 422 error), and the link's page offers ``download``
  and ``erase`` (:func:`apply_form` again).

Erasing keeps threads readable: a comment with replies becomes a placeholder,
the others go, and the thread's counts follow.

>>> from threadkit.memory import MemoryStore
>>> from threadkit_web.state import build_state
>>> state = build_state({}, store=MemoryStore(), secret="s")
>>> apply_form(state, "ada@example.org", "erase", download="export")
Outcome(email='ada@example.org', download=None, erased=0)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from email.message import EmailMessage
from typing import Any, Protocol

import attrs

from threadkit.errors import NotFoundError, ValidationError
from threadkit.serialization import dumps
from threadkit.text import clean_email

from . import i18n
from .state import WebState

__all__ = [
    "DEFAULTS",
    "DOWNLOAD_HEADERS",
    "MailSettings",
    "Mailer",
    "Outcome",
    "apply_form",
    "check_mailer",
    "email_of",
    "erase",
    "export_json",
    "read_mail_settings",
    "send_link",
]

DEFAULTS: dict[str, Any] = {
    "THREADKIT_MAILER": None,
    "THREADKIT_MAIL_FROM": None,
    "THREADKIT_DATA_LINK_TTL": timedelta(hours=1),
}
"""The settings the self-service link reads, and their defaults."""

DOWNLOAD_HEADERS: Mapping[str, str] = {
    "Content-Disposition": 'attachment; filename="comments-data.json"',
    "Cache-Control": "no-store",
}
"""Headers of a download (besides ``Content-Type: application/json``)."""

_PURPOSE = "personal-data"


class Mailer(Protocol):
    """Sends one email (``threadkit_notify.SmtpMailer`` fits)."""

    def send(self, message: EmailMessage) -> None:
        """Send ``message`` or raise."""
        ...


@attrs.frozen
class MailSettings:
    """How links are mailed: the mailer, the sender, and how long a link works."""

    mailer: Mailer | None
    mail_from: str | None
    ttl: timedelta


def read_mail_settings(get: Callable[[str, Any], Any]) -> MailSettings:
    """Read :data:`DEFAULTS`' keys with ``get(key, default)`` (a config dict's ``get``)."""
    ttl = get("THREADKIT_DATA_LINK_TTL", DEFAULTS["THREADKIT_DATA_LINK_TTL"])
    if not isinstance(ttl, timedelta) or ttl <= timedelta(0):
        raise ValueError(f"THREADKIT_DATA_LINK_TTL must be a positive timedelta, not {ttl!r}")
    return MailSettings(
        mailer=get("THREADKIT_MAILER", None),
        mail_from=get("THREADKIT_MAIL_FROM", None) or None,
        ttl=ttl,
    )


@attrs.frozen
class Outcome:
    """What a personal-data form did: ``download`` holds the JSON, else ``erased`` comments."""

    email: str
    download: bytes | None = None
    erased: int = 0


def export_json(state: WebState, email: str) -> bytes:
    """Return everything written with ``email`` (cleaned here) as JSON bytes."""
    return dumps(state.engine.export_email(clean_email(email)))


def erase(state: WebState, email: str) -> dict[str, object]:
    """Erase everything written with ``email``; return the API's answer ``{email, erased}``."""
    cleaned = clean_email(email)
    return {"email": cleaned, "erased": state.engine.erase_email(cleaned)}


def apply_form(state: WebState, email: str, action: str, *, download: str) -> Outcome:
    """Apply a form's ``action``: ``download`` (its name differs per form) or ``"erase"``."""
    cleaned = clean_email(email)
    if action == download:
        return Outcome(cleaned, download=dumps(state.engine.export_email(cleaned)))
    if action != "erase":
        raise ValidationError("invalid", f'action must be "{download}" or "erase".', field="action")
    return Outcome(cleaned, erased=state.engine.erase_email(cleaned))


def _require_mailer(settings: MailSettings) -> Mailer:
    if settings.mailer is None or not settings.mail_from:
        raise NotFoundError(
            "not_found",
            "This site does not take data requests by email (no mailer is set up);"
            " ask the site's owner instead.",
        )
    return settings.mailer


def check_mailer(settings: MailSettings) -> None:
    """Raise a 404 error unless a mailer and a sender are set up (the form is useless then)."""
    _require_mailer(settings)


def send_link(
    state: WebState,
    settings: MailSettings,
    email: str,
    link_for: Callable[[str], str],
    language: str = i18n.DEFAULT_LANGUAGE,
) -> str:
    """Mail a signed link (``link_for(token)``) if a comment was written with ``email``.

    The email is written in ``language``, the one the reader asked in. Returns the
    cleaned address; whether it was known does not show.
    """
    mailer = _require_mailer(settings)
    cleaned = clean_email(email)
    if not state.engine.export_email(cleaned).comments:
        return cleaned
    token = state.signer.dumps(
        _PURPOSE, {"email": cleaned}, now=state.clock.now(), ttl=settings.ttl
    )
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = cleaned
    say = i18n.translations(language).gettext
    message["Subject"] = say(i18n.N_("Your comments: download or erase them"))
    minutes = i18n.format_number(int(settings.ttl.total_seconds() // 60), language)
    asked = say(
        i18n.N_("Someone (hopefully you) asked to see the comments written with this address.")
    )
    within = say(
        i18n.N_("Open this link to download or erase them (it works for %(minutes)s min):")
    )
    ignore = say(i18n.N_("If you did not ask, ignore this email; nothing changes."))
    text = f"{asked}\n\n{within % {'minutes': minutes}}\n\n{link_for(token)}\n\n{ignore}\n"
    message.set_content(text)
    mailer.send(message)
    return cleaned


def email_of(state: WebState, token: str) -> str:
    """Return the address a mailed link was made for (422 if changed, expired or foreign)."""
    data = state.signer.loads(_PURPOSE, token, now=state.clock.now())
    email = data.get("email")
    if not isinstance(email, str):
        raise ValidationError("invalid_token", "This link is not valid.")
    return email
