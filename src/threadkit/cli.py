"""What threadkit's command lines share: naming a store, opening and closing it, failing.

``threadkit-import``, ``threadkit-export`` and ``threadkit-data`` take the store
as ``--store package.module:factory`` plus ``--store-arg`` values, close it when
done, and report a problem as one ``error: ...`` line on standard error with
exit status 2. A command of your own can take its store the same way:

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_store_options(parser)
>>> args = parser.parse_args(["--store", "threadkit.memory:MemoryStore"])
>>> store = load_store(args.store, args.store_arg)
>>> with closing(store):
...     type(store).__name__
'MemoryStore'
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import cast

from .errors import ThreadkitError
from .memory import MemoryStore
from .ports import CommentStore, SiteStore

__all__ = [
    "STORE_ERRORS",
    "add_store_options",
    "closing",
    "fail",
    "finish_import",
    "load_object",
    "load_store",
    "open_import_store",
    "site_store",
]

STORE_ERRORS = (ValueError, ImportError, AttributeError, ThreadkitError)
"""What :func:`load_store` raises for a ``--store`` that cannot make a store."""


def load_object(spec: str, *, option: str = "--store") -> object:
    """Import ``package.module:attribute`` (the attribute may be dotted) and return it.

    A ``spec`` without both halves raises ``ValueError`` naming ``option``.
    """
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise ValueError(f"{option} must look like package.module:factory, not {spec!r}")
    target: object = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


def load_store(spec: str, args: Sequence[str] = ()) -> CommentStore:
    """Import ``package.module:attribute`` and call it with ``args`` to get a store."""
    target = load_object(spec)
    if not callable(target):
        raise ValueError(f"{spec} is not callable")
    return cast(CommentStore, target(*args))


def open_import_store(args: argparse.Namespace) -> CommentStore:
    """Open the store an import writes to: a throw-away memory store for ``--dry-run``."""
    if args.dry_run:
        return MemoryStore()
    return load_store(args.store, args.store_arg)


def site_store(store: object, spec: str | None) -> SiteStore:
    """Return ``store`` if it can list and load a whole site; else raise ``TypeError``."""
    if not isinstance(store, SiteStore):
        raise TypeError(
            f"{spec} made a store that cannot move a whole site (it needs iter_threads,"
            " iter_thread, iter_votes, bulk_load and load_votes)"
        )
    return store


def add_store_options(parser: argparse.ArgumentParser, *, dry_run: bool = False) -> None:
    """Add ``--store`` and ``--store-arg``; with ``dry_run``, ``--dry-run`` instead of a store."""
    store_help = "store factory, as package.module:callable"
    if dry_run:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--store", help=store_help)
        where.add_argument(
            "--dry-run", action="store_true", help="import into a throw-away memory store"
        )
    else:
        parser.add_argument("--store", required=True, help=store_help)
    parser.add_argument(
        "--store-arg",
        action="append",
        default=[],
        help="argument for the store factory (repeatable), e.g. a database URL",
    )


@contextmanager
def closing(store: object) -> Iterator[None]:
    """Call the store's ``close()``, when it has one, however the block ends."""
    try:
        yield
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()


def fail(message: str) -> int:
    """Print ``error: message`` on standard error; return the exit status 2."""
    print(f"error: {message}", file=sys.stderr)
    return 2


def finish_import(dry_run: bool, summary: str, *, failed: bool = False) -> int:
    """Print an import's summary (saying so for a dry run); return 1 if it ``failed``."""
    if dry_run:
        print("dry run: nothing was written")
    print(summary)
    return 1 if failed else 0
