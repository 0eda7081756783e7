"""``threadkit-import threadkit FILE``: the import half of a site move, for the shared CLI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from threadkit.errors import ThreadkitError
from threadkit.memory import MemoryStore
from threadkit.ports import CommentStore, SiteStore

from .progress import Progress
from .site import load_site

__all__ = ["import_site"]


def import_site(
    args: argparse.Namespace, load_store: Callable[[str, Sequence[str]], CommentStore]
) -> int:
    """Load ``args.file`` into the ``--store`` (or a dry-run memory store); exit status."""
    store = MemoryStore() if args.dry_run else load_store(args.store, args.store_arg)
    try:
        if not isinstance(store, SiteStore):
            print(
                f"error: {args.store} made a store that cannot load a whole site"
                " (it needs iter_threads, bulk_load, load_votes, ...)",
                file=sys.stderr,
            )
            return 2
        progress = Progress("threads", quiet=args.quiet)
        with open(args.file, encoding="utf-8") as lines:
            counts = load_site(
                store, lines, allow_non_empty=args.allow_non_empty, progress=progress
            )
    except (ThreadkitError, OSError, UnicodeDecodeError) as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()
    if args.dry_run:
        print("dry run: nothing was written")
    print(f"imported {counts.summary()}")
    return 0
