"""``threadkit-import threadkit FILE``: the import half of a site move, for the shared CLI."""

from __future__ import annotations

import argparse

from threadkit.cli import closing, fail, finish_import, open_import_store
from threadkit.errors import ThreadkitError
from threadkit.ports import SiteStore

from .progress import Progress
from .site import load_site

__all__ = ["import_site"]


def import_site(args: argparse.Namespace) -> int:
    """Load ``args.file`` into the ``--store`` (or a dry-run memory store); exit status."""
    store = open_import_store(args)
    with closing(store):
        if not isinstance(store, SiteStore):
            return fail(
                f"{args.store} made a store that cannot load a whole site"
                " (it needs iter_threads, bulk_load, load_votes, ...)"
            )
        progress = Progress("threads", quiet=args.quiet)
        try:
            with open(args.file, encoding="utf-8") as lines:
                counts = load_site(
                    store, lines, allow_non_empty=args.allow_non_empty, progress=progress
                )
        except (ThreadkitError, OSError, UnicodeDecodeError) as error:
            return fail(f"{args.file}: {error}")
    return finish_import(args.dry_run, f"imported {counts.summary()}")
