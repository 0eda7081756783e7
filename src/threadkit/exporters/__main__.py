r"""``threadkit-export``: write a whole site to a file, as threadkit JSON Lines or WordPress WXR.

::

    threadkit-export --store threadkit_sqlalchemy:SqlCommentStore \
        --store-arg sqlite:///comments.db -o site.jsonl
    threadkit-export --format wxr --store ... -o site.xml

``--store`` and ``--store-arg`` work as for ``threadkit-import``. The file is
written beside its final name and renamed when complete, so a failed export
never leaves a half-written file. Progress goes to standard error (a bar on
a terminal, plain lines otherwise; ``--quiet`` for none).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from threadkit.cli import STORE_ERRORS, add_store_options, closing, fail, load_store, site_store
from threadkit.errors import ThreadkitError
from threadkit.ports import SiteStore

from .progress import Progress
from .site import SiteCounts, dump_site
from .wxr import dump_wxr

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="threadkit-export",
        description="Write every thread, comment and vote of a store to a file.",
    )
    add_store_options(parser)
    parser.add_argument(
        "--format",
        choices=["jsonl", "wxr"],
        default="jsonl",
        help="jsonl: lossless threadkit JSON Lines (default); wxr: WordPress WXR 1.2",
    )
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    return parser


def _dump(store: SiteStore, fmt: str, out: TextIO, progress: Progress) -> SiteCounts:
    if fmt == "wxr":
        return dump_wxr(store, out, progress=progress)
    return dump_site(store, out, progress=progress)


def _to_file(store: SiteStore, fmt: str, target: Path, progress: Progress) -> SiteCounts:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            counts = _dump(store, fmt, out, progress)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2 on a store or file error)."""
    args = _parser().parse_args(argv)
    try:
        store: object = load_store(args.store, args.store_arg)
    except STORE_ERRORS as error:
        return fail(f"--store {args.store}: {error}")
    with closing(store):
        try:
            site = site_store(store, args.store)
            progress = Progress("threads", quiet=args.quiet)
            if args.output:
                counts = _to_file(site, args.format, Path(args.output), progress)
            else:
                counts = _dump(site, args.format, sys.stdout, progress)
        except (TypeError, ThreadkitError, OSError) as error:
            return fail(str(error))
    if not args.quiet:
        print(f"exported {counts.summary()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
