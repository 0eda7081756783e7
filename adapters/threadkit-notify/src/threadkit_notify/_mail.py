"""Sending email with the standard library's :mod:`smtplib`."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Literal, Protocol, runtime_checkable

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

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        security: Literal["starttls", "ssl", "none"] = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        if security not in _DEFAULT_PORTS:
            raise ValueError("security must be 'starttls', 'ssl' or 'none'")
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.host = host
        self.port = port if port is not None else _DEFAULT_PORTS[security]
        self.security = security
        self.username = username
        self.password = password
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.local_hostname = local_hostname

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
