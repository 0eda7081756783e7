"""``manage.py threadkit migrate`` and ``manage.py threadkit outbox``.

``migrate`` runs the store's own schema upgrade (``THREADKIT["MIGRATE"]``,
default the SQL store's ``threadkit_sqlalchemy.migrate:upgrade``) on the
store's URL (``THREADKIT["STORE_ARGS"][0]``, default ``DATABASES["default"]``
translated). ``outbox`` delivers queued notifications with the worker
``THREADKIT["OUTBOX"]`` builds (``"module:factory"`` returning a
:class:`threadkit.outbox.OutboxWorker`); ``--once`` drains what is due and exits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from threadkit.outbox import OutboxWorker, drain, run_until_stopped
from threadkit_django.conf import load_object, read_settings

__all__ = ["Command"]


class Command(BaseCommand):
    """threadkit's management command: ``migrate`` or ``outbox``."""

    help = "threadkit: upgrade the comment store's schema, or run the notification outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        """Add the ``migrate`` and ``outbox`` sub-commands."""
        commands = parser.add_subparsers(dest="action", required=True)
        up = commands.add_parser("migrate", help="create or upgrade the comment store's tables")
        up.add_argument("--revision", default="head", help="target revision (default: head)")
        out = commands.add_parser("outbox", help="deliver queued notifications")
        out.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
        out.add_argument(
            "--idle-sleep", type=float, default=5.0, help="seconds to wait when nothing is due"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen sub-command."""
        if options["action"] == "migrate":
            self._migrate(options["revision"])
        else:
            self._outbox(once=options["once"], idle_sleep=options["idle_sleep"])

    def _migrate(self, revision: str) -> None:
        settings = read_settings()
        if settings.migrate is None:
            raise CommandError("THREADKIT['MIGRATE'] is None: this store has nothing to migrate")
        if not settings.store_args or not isinstance(settings.store_args[0], str):
            raise CommandError(
                "THREADKIT['STORE_ARGS'][0] must be the store's database URL to migrate it"
            )
        upgrade = load_object(settings.migrate, "MIGRATE")
        if not callable(upgrade):
            raise CommandError("THREADKIT['MIGRATE'] must name a callable taking the URL")
        upgrade(settings.store_args[0], revision)
        self.stdout.write(f"threadkit schema upgraded to {revision}")

    def _outbox(self, *, once: bool, idle_sleep: float) -> None:
        settings = read_settings()
        if settings.outbox is None:
            raise CommandError(
                "THREADKIT['OUTBOX'] is not set: name a 'module:factory' that returns a "
                "threadkit.outbox.OutboxWorker (see threadkit-notify)"
            )
        factory = load_object(settings.outbox, "OUTBOX")
        worker = factory if isinstance(factory, OutboxWorker) else None
        if worker is None and callable(factory):
            worker = factory()
        if not isinstance(worker, OutboxWorker):
            raise CommandError(
                f"THREADKIT['OUTBOX'] gave {type(worker).__name__}, not a threadkit OutboxWorker"
            )
        if once:
            self.stdout.write(f"threadkit outbox: handled {drain(worker)} message(s)")
            return
        run_until_stopped(worker, idle_sleep)
