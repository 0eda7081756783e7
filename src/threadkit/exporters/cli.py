"""``threadkit-import threadkit FILE``: the import half of a site move, for the shared CLI."""

from __future__ import annotations

import argparse

from threadkit.cli import closing, fail, finish_import, open_import_store, site_store
from threadkit.errors import ThreadkitError

from .progress import Progress
from .site import load_site

__all__ = ["import_site"]


def import_site(args: argparse.Namespace) -> int:
    """Load ``args.file`` into the ``--store`` (or a dry-run memory store); exit status."""
    store = open_import_store(args)
    with closing(store):
        try:
            site = site_store(store, args.store)
        except TypeError as error:
            return fail(str(error))
        progress = Progress("threads", quiet=args.quiet)
        try:
            with open(args.file, encoding="utf-8") as lines:
                counts = load_site(
                    site, lines, allow_non_empty=args.allow_non_empty, progress=progress
                )
        except (ThreadkitError, OSError, UnicodeDecodeError) as error:
            return fail(f"{args.file}: {error}")
    return finish_import(args.dry_run, f"imported {counts.summary()}")
