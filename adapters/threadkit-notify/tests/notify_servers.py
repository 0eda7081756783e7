"""Real servers on 127.0.0.1 for the notifier tests: SMTP (aiosmtpd) and a webhook receiver."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from email.message import EmailMessage
from typing import Any

import attrs
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from threadkit.testing.http_server import FakeHTTPServer, RecordedRequest, Reply


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@attrs.frozen
class Received:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.sink.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), raw, parsed)
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server that keeps what it receives; optional STARTTLS and login.

    Use as a context manager. ``tls_context`` turns on STARTTLS (required);
    ``implicit_tls`` makes it speak TLS from the first byte (like port 465);
    ``credentials`` (login, password) turns on AUTH (only after TLS).
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        tls_context: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        # aiosmtpd needs a real port number up front; a free one chosen here can be
        # taken by a parallel test before the server binds it, so __enter__ retries.
        self._fixed_port = port is not None
        self.port = port if port is not None else free_port()
        self.received: list[Received] = []
        self.logins: list[str] = []
        options: dict[str, Any] = {"enable_SMTPUTF8": True}
        if tls_context is not None:
            options.update(tls_context=tls_context, require_starttls=True)
        if implicit_tls is not None:
            options.update(ssl_context=implicit_tls)
        if credentials is not None:
            # aiosmtpd only counts STARTTLS as TLS for auth_require_tls; with
            # implicit TLS the whole connection is encrypted anyway.
            options.update(
                authenticator=self._authenticator(credentials),
                auth_require_tls=implicit_tls is None,
            )
        self._options = options
        self._controller = self._make_controller()

    def _make_controller(self) -> Controller:
        return Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **self._options)

    def _authenticator(self, credentials: tuple[str, str]) -> Any:
        def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
            ok = isinstance(data, LoginPassword) and (
                data.login.decode(),
                data.password.decode(),
            ) == credentials
            if ok:
                self.logins.append(data.login.decode())
            return AuthResult(success=ok, handled=False)

        return check

    def __enter__(self) -> SmtpSink:
        for _ in range(4):
            try:
                self._controller.start()
                return self
            except OSError:
                if self._fixed_port:
                    raise
            self.port = free_port()
            self._controller = self._make_controller()
        self._controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._controller.stop()


class WebhookSink(FakeHTTPServer):
    """An HTTP server recording requests (``requests``) and answering POSTs with ``status``.

    ``location`` adds a ``Location`` header (for redirect tests); a GET, where
    a followed redirect would land, gets an empty 200.
    """

    def __init__(self) -> None:
        super().__init__()
        self.status = 200
        self.location = ""

    @property
    def url(self) -> str:
        """The receiver's URL."""
        return f"{self.base_url}/hooks/threadkit"

    def handle(self, request: RecordedRequest) -> Reply:
        """Answer ``status`` with body ``ok`` to a POST; an empty 200 to anything else."""
        if request.method != "POST":
            return Reply(200)
        headers = {"Location": self.location} if self.location else {}
        return Reply(self.status, b"ok", headers)
