"""A TCP proxy for tests that can cut the line to a database server.

:class:`TcpProxy` listens on 127.0.0.1 (an ephemeral port) and forwards every
connection to a target server. Three modes, switchable at any time:

* ``pass``: bytes flow both ways (the start mode).
* ``refuse``: every existing connection is reset, and every new one is reset
  as soon as it is accepted (the client sees its connection refused or dropped
  at once).
* ``blackhole``: connections stay open and new ones are accepted, but every
  byte, both ways, is silently dropped: a server that stopped answering, a
  network that drops packets. Nothing ever reaches the client.

Switching back to ``pass`` resets the connections that lived through a
blackhole (their byte streams lost data, as a middlebox that forgot them
would), so clients reconnect, as they would after a real outage.

The database drivers live in the adapter, so this lives with the adapter's
tests; it is standard library only (``socket`` is no module for the core).

>>> import socket
>>> listener = socket.create_server(("127.0.0.1", 0))
>>> with TcpProxy("127.0.0.1", listener.getsockname()[1]) as proxy:
...     client = socket.create_connection((proxy.host, proxy.port))
...     server, _ = listener.accept()
...     client.sendall(b"ping")
...     server.recv(4)
b'ping'
>>> client.close(); server.close(); listener.close()
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from typing import Literal, Self

__all__ = ["Mode", "TcpProxy"]

Mode = Literal["pass", "refuse", "blackhole"]

_TICK = 0.05  # how often idle threads look at the mode and the closing flag


def _reset(sock: socket.socket) -> None:
    """Close ``sock`` with a TCP reset (no FIN handshake: the peer learns at once)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class _Link:
    """One proxied connection: the client's socket and (unless born in a blackhole) the server's."""

    def __init__(self, client: socket.socket, server: socket.socket | None) -> None:
        self.client = client
        self.server = server
        self.dropped = server is None  # lost bytes: never to be trusted again
        self.closed = threading.Event()

    def close(self) -> None:
        if not self.closed.is_set():
            self.closed.set()
            _reset(self.client)
            if self.server is not None:
                _reset(self.server)


class TcpProxy:
    """A threaded TCP proxy on 127.0.0.1 to ``(target_host, target_port)``; see the module."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(_TICK)
        self.host, self.port = self._listener.getsockname()[:2]
        self._mode: Mode = "pass"
        self._lock = threading.Lock()
        self._links: list[_Link] = []
        self._threads: list[threading.Thread] = []
        self._closing = threading.Event()
        self._spawn(self._accept_loop)

    @property
    def mode(self) -> Mode:
        """The current mode: ``pass``, ``refuse`` or ``blackhole``."""
        return self._mode

    def pass_through(self) -> None:
        """Forward bytes again; connections that went through a blackhole are reset."""
        with self._lock:
            self._mode = "pass"
            for link in [link for link in self._links if link.dropped]:
                self._drop(link)

    def refuse(self) -> None:
        """Reset every connection now and every new one as it arrives."""
        with self._lock:
            self._mode = "refuse"
            for link in list(self._links):
                self._drop(link)

    def blackhole(self) -> None:
        """Keep connections open but silently drop every byte, both ways."""
        with self._lock:
            self._mode = "blackhole"

    def close(self) -> None:
        """Stop listening, reset every connection and join every thread."""
        self._closing.set()
        with self._lock:
            for link in list(self._links):
                self._drop(link)
        for thread in list(self._threads):
            thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- threads -----------------------------------------------------------

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _drop(self, link: _Link) -> None:
        link.close()
        if link in self._links:
            self._links.remove(link)

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            mode = self._mode
            if mode == "refuse":
                _reset(client)
                continue
            server = None
            if mode == "pass":
                try:
                    server = socket.create_connection(self.target, timeout=5)
                except OSError:
                    _reset(client)
                    continue
            link = _Link(client, server)
            with self._lock:
                self._links.append(link)
            self._spawn(self._pump, link, link.client, True)
            if server is not None:
                self._spawn(self._pump, link, server, False)

    def _pump(self, link: _Link, source: socket.socket, from_client: bool) -> None:
        """Copy what ``source`` sends to the other side, or drop it in a blackhole."""
        while not (link.closed.is_set() or self._closing.is_set()):
            try:
                ready, _, _ = select.select([source], [], [], _TICK)
                if not ready:
                    continue
                data = source.recv(65536)
            except (OSError, ValueError):
                break
            if not data:
                break
            if self._mode != "pass" or link.dropped:
                link.dropped = True
                continue
            target = link.server if from_client else link.client
            try:
                if target is not None:
                    target.sendall(data)
            except OSError:
                break
        with self._lock:
            self._drop(link)
