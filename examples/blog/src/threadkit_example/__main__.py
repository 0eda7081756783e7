"""``python -m threadkit_example``: run the example blog (what ``./dev serve`` does)."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys

PORT_SETTING = "THREADKIT_EXAMPLE_PORT"
HOST_SETTING = "THREADKIT_EXAMPLE_HOST"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read the command line; ``--help`` prints the usage and exits before anything starts."""
    parser = argparse.ArgumentParser(
        prog="./dev serve",
        description="Run the threadkit example blog on SQLite (seeded on first start).",
        epilog=f"The options override {HOST_SETTING} and {PORT_SETTING}; "
        "the other settings are environment variables (examples/blog/README.md).",
    )
    parser.add_argument(
        "--port", type=int, help=f"port to listen on (default: ${PORT_SETTING} or 8000)"
    )
    parser.add_argument(
        "--host", help=f"address to listen on (default: ${HOST_SETTING} or 127.0.0.1)"
    )
    return parser.parse_args(argv)


def busy_port_message(host: str, port: int) -> str | None:
    """Return what to do if ``port`` on ``host`` is taken, or ``None`` when it is free."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
        else:
            return None
    free = _free_port(host)
    return (
        f"port {port} is busy (another program listens on {host}:{port}): "
        f"set {PORT_SETTING}={free} or run ./dev serve --port {free}"
    )


def _free_port(host: str) -> int:
    """A port the system has free now, to suggest (it may be taken again by the time it is used)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def main(argv: list[str] | None = None) -> int:
    """Check the port, create the app (migrating and seeding SQLite on first run) and serve it."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # The options win over the environment; the app reads its settings from there.
    if args.port is not None:
        os.environ[PORT_SETTING] = str(args.port)
    if args.host is not None:
        os.environ[HOST_SETTING] = args.host
    host = os.environ.get(HOST_SETTING, "127.0.0.1")
    port = int(os.environ.get(PORT_SETTING, "8000"))
    busy = busy_port_message(host, port)
    if busy is not None:
        # Before the URL is printed: a URL of a server that never started misleads.
        print(f"threadkit example blog: {busy}", file=sys.stderr)
        return 1

    from .app import create_app

    app = create_app()
    settings = app.extensions["threadkit_example"]["settings"]
    print(f"threadkit example blog: http://{settings.host}:{settings.port}/  (Ctrl+C stops it)")
    print(f"database: {settings.database_url}")
    print(f"another port: ./dev serve --port 8001 (or set {PORT_SETTING})")
    app.run(host=settings.host, port=settings.port, debug=False, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
