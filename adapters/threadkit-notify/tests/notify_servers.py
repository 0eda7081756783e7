"""Real servers on 127.0.0.1 for the notifier tests: SMTP (aiosmtpd) and a webhook receiver."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import attrs
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


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
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, **options
        )

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
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()


@attrs.frozen
class Hook:
    """One request the webhook receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


class WebhookSink:
    """An HTTP server recording POSTs and answering ``status`` (200 by default)."""

    def __init__(self) -> None:
        self.requests: list[Hook] = []
        self.status = 200
        self.location = ""
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sink.requests.append(
                    Hook(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                self.send_response(sink.status)
                if sink.location:
                    self.send_header("Location", sink.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self) -> None:  # where a followed redirect would land
                sink.requests.append(Hook(self.path, {}, b"GET"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """The receiver's URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks/threadkit"

    def __enter__(self) -> WebhookSink:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
