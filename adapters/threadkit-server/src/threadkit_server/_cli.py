"""``threadkit-server``: run the comment server, or its outbox worker (``... worker``)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from .config import ENV_PREFIX, OPTIONS, ConfigError, ServerConfig, load_config

__all__ = ["build_parser", "main", "parse_serve_flags"]

_DESCRIPTION = """\
A standalone threadkit comment server: the JSON API, the embed script
(<script src="https://comments.example/embed.js" data-thread="post-42" async>),
logins, the moderation queue, feeds. Every option can also be set as an
environment variable (shown beside it) or in a TOML file (--config), with the
option's name as key; a flag wins over the environment, which wins over the file.
Run `threadkit-server worker` to deliver notifications (same options, plus --once).
"""


def build_parser(*, worker: bool = False) -> argparse.ArgumentParser:
    """Return the argument parser of ``threadkit-server`` (or of its ``worker`` command)."""
    parser = argparse.ArgumentParser(
        prog="threadkit-server worker" if worker else "threadkit-server",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"TOML file with any of these options ({ENV_PREFIX}CONFIG)",
    )
    for option in OPTIONS:
        text = f"{option.help} ({option.env})"
        if option.default not in (None, (), False):
            text += f"; default: {option.default}"
        if option.flag_only:
            parser.add_argument(option.flag, action="store_true", default=None, help=text)
        elif option.multiple:
            parser.add_argument(
                option.flag, action="append", default=None, metavar=option.metavar, help=text
            )
        else:
            parser.add_argument(option.flag, default=None, metavar=option.metavar, help=text)
    if worker:
        parser.add_argument(
            "--once",
            action="store_true",
            help="deliver everything due now, then exit (for cron)",
        )
    return parser


def parse_serve_flags(argv: Sequence[str]) -> dict[str, Any]:
    """Parse the server's flags; options not given are ``None``."""
    return vars(build_parser().parse_args(list(argv)))


def _config(args: dict[str, Any]) -> ServerConfig:
    try:
        return load_config(flags=args)
    except ConfigError as error:
        raise SystemExit(f"threadkit-server: {error}") from None


def _serve(config: ServerConfig) -> int:
    from werkzeug.serving import make_server

    from ._app import create_app_from
    from ._heap import settle_heap

    try:
        app = create_app_from(config)
    except ConfigError as error:
        raise SystemExit(f"threadkit-server: {error}") from None
    settle_heap()  # this process only serves from here on
    server = make_server(config.host, config.port, app, threaded=True)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sites = ", ".join(site.origin for site in config.sites) or "none (add --site)"
    print(
        f"threadkit-server: serving on http://{config.host}:{server.server_port} for {sites}",
        flush=True,
    )
    server.serve_forever()
    server.server_close()
    print("threadkit-server: stopped", flush=True)
    return 0


def _work(config: ServerConfig, once: bool) -> int:
    from ._app import build_worker

    worker = build_worker(config)
    if worker is None:
        raise SystemExit(
            "threadkit-server worker: no notifications are configured "
            "(set --smtp-url with --mail-from, or --webhook-url with --webhook-secret)"
        )
    # Only now: a worker exists only when threadkit-notify (an optional extra) is installed.
    import threadkit_notify as notify

    if once:
        print(f"threadkit-server worker: handled {notify.drain(worker)} message(s)", flush=True)
        return 0
    notify.run_until_stopped(worker, 5.0)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``threadkit-server [options]`` or ``threadkit-server worker [--once] [options]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args[:1] == ["worker"]:
        flags = vars(build_parser(worker=True).parse_args(args[1:]))
        once = bool(flags.pop("once"))
        return _work(_config(flags), once)
    return _serve(_config(parse_serve_flags(args)))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
