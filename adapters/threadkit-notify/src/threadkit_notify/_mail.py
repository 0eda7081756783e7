"""Sending email with the standard library's :mod:`smtplib`."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Literal, Protocol, runtime_checkable

import attrs

__all__ = ["Mailer", "SmtpMailer"]

_log = logging.getLogger("threadkit_notify")


@runtime_checkable
class Mailer(Protocol):
    """Sends one email message or raises; the email notifiers send through one.

    Example (a mailer that keeps messages, for tests)::

        class ListMailer:
            def __init__(self) -> None:
                self.sent: list[EmailMessage] = []

            def send(self, message: EmailMessage) -> None:
                self.sent.append(message)
    """

    def send(self, message: EmailMessage) -> None:
        """Send ``message`` (headers say who to); raise on any failure."""
        ...


_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def _port_or_default(port: int | None) -> int:
    # 0 stands for "the security mode's port", filled in once security is known.
    return 0 if port is None else port


def _known_security(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in _DEFAULT_PORTS:
        raise ValueError("security must be 'starttls', 'ssl' or 'none'")


@attrs.define
class SmtpMailer:
    """Send email through an SMTP server, one connection per message.

    ``security`` is ``"starttls"`` (port 587 by default: plain connection
    upgraded with STARTTLS, refused if the server does not offer it),
    ``"ssl"`` (port 465: TLS from the first byte) or ``"none"`` (port 25,
    for a local relay only). ``username`` / ``password`` log in when given.
    ``ssl_context`` defaults to :func:`ssl.create_default_context` (verifies
    the certificate and host name). Every failure raises (``OSError`` or
    :class:`smtplib.SMTPException`), so the outbox worker retries later.
    """

    host: str
    port: int = attrs.field(default=None, converter=_port_or_default)
    security: Literal["starttls", "ssl", "none"] = attrs.field(
        default="starttls", kw_only=True, validator=_known_security
    )
    username: str | None = attrs.field(default=None, kw_only=True)
    password: str | None = attrs.field(default=None, kw_only=True, repr=False)
    timeout: float = attrs.field(default=10.0, kw_only=True)
    ssl_context: ssl.SSLContext | None = attrs.field(default=None, kw_only=True)
    local_hostname: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if (self.username is None) != (self.password is None):
            raise ValueError("give both username and password, or neither")
        if not self.port:
            self.port = _DEFAULT_PORTS[self.security]

    def _connect(self) -> smtplib.SMTP:
        context = self.ssl_context or ssl.create_default_context()
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=context,
            )
        smtp = smtplib.SMTP(
            self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
        )
        try:
            if self.security == "starttls":
                smtp.ehlo()
                smtp.starttls(context=context)
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Connect, log in if configured, send ``message`` and quit."""
        with self._connect() as smtp:
            if self.username is not None and self.password is not None:
                smtp.login(self.username, self.password)
            refused = smtp.send_message(message)
        if refused:
            # Some (not all) recipients were refused. Retrying would send the
            # others a second copy, so log it instead: an operator must fix it.
            _log.warning("SMTP server refused some recipients: %r", refused)
