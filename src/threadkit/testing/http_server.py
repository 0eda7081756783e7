"""Test servers on 127.0.0.1: run any server in a thread, or fake an HTTP API in a few lines.

Standard library only, for tests only (the engine never imports this module):

* :func:`serve_in_thread` runs any ``socketserver``-style server (the standard
  library's, werkzeug's ``make_server``, wsgiref's) in a daemon thread and
  always shuts it down, closes its socket and joins the thread.
* :class:`FakeHTTPServer` is the base of the fake remote services (Akismet, a
  webhook receiver): subclass it, answer in :meth:`FakeHTTPServer.handle`, and
  read back what it received in ``requests``.

Every server listens on an ephemeral port, so tests can run in parallel.

>>> class Teapot(FakeHTTPServer):
...     def handle(self, request: RecordedRequest) -> Reply:
...         return Reply(418, "short and stout")
>>> import urllib.request, urllib.error
>>> with Teapot() as teapot:
...     try:
...         urllib.request.urlopen(teapot.base_url + "/brew")
...     except urllib.error.HTTPError as error:
...         print(error.code, error.read().decode())
418 short and stout
>>> [request.path for request in teapot.requests]
['/brew']
"""

from __future__ import annotations

import contextlib
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Protocol, Self, TypeVar

import attrs

__all__ = ["FakeHTTPServer", "RecordedRequest", "Reply", "Servable", "serve_in_thread"]

#: How often a serving thread looks for a shutdown request (seconds): short, so tests end fast.
POLL_INTERVAL = 0.02


class Servable(Protocol):
    """What :func:`serve_in_thread` needs: the ``socketserver.BaseServer`` lifecycle."""

    def serve_forever(self, poll_interval: float = ...) -> None:
        """Serve until :meth:`shutdown` is called."""

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` and wait for it to return."""

    def server_close(self) -> None:
        """Close the listening socket."""


ServerT = TypeVar("ServerT", bound=Servable)


@contextlib.contextmanager
def serve_in_thread(server: ServerT) -> Iterator[ServerT]:
    """Run ``server.serve_forever`` in a daemon thread; yield ``server``; always stop it.

    On exit the server is shut down, its socket closed and the thread joined,
    so no port or thread outlives the ``with`` block.
    """
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": POLL_INTERVAL},
        name=f"serve-{type(server).__name__}",
        daemon=True,
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


@attrs.frozen
class RecordedRequest:
    """One request a :class:`FakeHTTPServer` received (header names in lower case)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """The body read as a URL-encoded form (the first value of each field)."""
        fields = urllib.parse.parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {name: values[0] for name, values in fields.items()}


@attrs.frozen
class Reply:
    """What a :class:`FakeHTTPServer` answers: status, body and extra headers."""

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    content_type: str = "text/plain; charset=utf-8"


class FakeHTTPServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 that records requests; subclass it.

    Override :meth:`handle` to answer. Use the instance as a context manager:
    it serves inside the ``with`` block only. Every method (GET, POST, ...) is
    recorded in ``requests`` before :meth:`handle` runs.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._serving = contextlib.ExitStack()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def handle(self, request: RecordedRequest) -> Reply:
        """Answer one request (the base class answers 404)."""
        return Reply(404, "Not found")

    def __enter__(self) -> Self:
        self._serving.enter_context(serve_in_thread(self._server))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._serving.close()


def _handler_for(fake: FakeHTTPServer) -> type[BaseHTTPRequestHandler]:
    """Build the request handler class that records into, and asks, ``fake``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length", "0") or "0")
            request = RecordedRequest(
                method=self.command,
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            fake.requests.append(request)
            reply = fake.handle(request)
            body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may have given up waiting
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler
