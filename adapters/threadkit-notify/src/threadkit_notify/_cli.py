"""``threadkit-outbox``: run the outbox worker from cron or as a service."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from threadkit.cli import load_object
from threadkit.outbox import OutboxWorker, drain, run_until_stopped

__all__ = ["load_worker", "main"]


def load_worker(spec: str) -> OutboxWorker:
    """Import ``"package.module:factory"`` and call it; it must return an OutboxWorker."""
    try:
        target = load_object(spec, option="the factory")
    except ValueError as error:
        raise SystemExit(f"threadkit-outbox: {error}") from None
    worker = target() if callable(target) and not isinstance(target, OutboxWorker) else target
    if not isinstance(worker, OutboxWorker):
        raise SystemExit(f"threadkit-outbox: {spec} gave {type(worker).__name__}, not OutboxWorker")
    return worker


def main(argv: Sequence[str] | None = None) -> int:
    """Run the worker: ``threadkit-outbox myapp.notify:make_worker [--once]``."""
    parser = argparse.ArgumentParser(
        prog="threadkit-outbox",
        description="Deliver threadkit's queued notifications (email, webhooks).",
    )
    parser.add_argument("factory", help="module:callable returning a threadkit.outbox.OutboxWorker")
    parser.add_argument(
        "--once",
        action="store_true",
        help="deliver everything due now, then exit (for cron)",
    )
    parser.add_argument(
        "--idle-sleep",
        type=float,
        default=5.0,
        help="seconds to wait when nothing is due (default 5)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    worker = load_worker(args.factory)
    if args.once:
        print(f"threadkit-outbox: handled {drain(worker)} message(s)", file=sys.stderr)
        return 0
    run_until_stopped(worker, args.idle_sleep)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
