r"""``python -m threadkit.importers``: import a WordPress or Disqus export from a shell.

::

    python -m threadkit.importers wordpress site.xml --dry-run
    python -m threadkit.importers disqus disqus.xml \\
        --store threadkit_sqlalchemy:SqlCommentStore --store-arg sqlite:///comments.db

``--store`` names a callable as ``package.module:attribute``; it is called with
the ``--store-arg`` values (none by default) and must return a
``CommentStore``; if the store has a ``close()`` method it is called at the
end. ``--dry-run`` imports into a throw-away :class:`~threadkit.memory.MemoryStore`
instead, to see the report without writing anything.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from threadkit.cli import (
    add_store_options,
    closing,
    fail,
    finish_import,
    load_store,
    open_import_store,
)
from threadkit.errors import ThreadkitError

from ._common import Export, import_into
from .disqus import link_path_key, read_disqus
from .wordpress import path_key, read_wordpress

__all__ = ["load_store", "main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m threadkit.importers",
        description="Import comments from a WordPress (WXR) or Disqus XML export.",
    )
    parser.add_argument(
        "format",
        choices=["wordpress", "disqus", "threadkit", "isso"],
        help="the export's format (threadkit: a threadkit-export JSON Lines file)",
    )
    parser.add_argument("file", help="path of the export file")
    add_store_options(parser, dry_run=True)
    parser.add_argument(
        "--key",
        choices=["default", "path"],
        default="default",
        help="thread keys: default (WordPress slug / Disqus identifier) or the URL path",
    )
    parser.add_argument(
        "--pings",
        action="store_true",
        help="WordPress: also import pingbacks and trackbacks",
    )
    parser.add_argument(
        "--protected",
        choices=["hold", "skip", "import"],
        default="hold",
        help="WordPress: comments on password-protected or private posts (default: hold)",
    )
    parser.add_argument("--no-spam", action="store_true", help="skip comments marked spam")
    parser.add_argument(
        "--key-prefix",
        default="",
        help="isso: put this before every thread key (threadkit-server: the site id and a colon)",
    )
    parser.add_argument(
        "--allow-non-empty",
        action="store_true",
        help="threadkit: import into a store that already has threads (existing ones refused)",
    )
    parser.add_argument("--quiet", action="store_true", help="threadkit: no progress output")
    parser.add_argument(
        "--keep-open", action="store_true", help="do not close threads the old site closed"
    )
    parser.add_argument(
        "--on-refused",
        choices=["thread", "comment"],
        default="thread",
        help="when the store refuses a comment, roll back its thread (default) or skip it",
    )
    return parser


def _read(args: argparse.Namespace) -> Export:
    if args.format == "wordpress":
        types = ("comment", "pingback", "trackback") if args.pings else ("comment",)
        if args.key == "path":
            return read_wordpress(
                args.file,
                thread_key=path_key,
                types=types,
                protected=args.protected,
                include_spam=not args.no_spam,
            )
        return read_wordpress(
            args.file, types=types, protected=args.protected, include_spam=not args.no_spam
        )
    if args.key == "path":
        return read_disqus(args.file, thread_key=link_path_key, include_spam=not args.no_spam)
    return read_disqus(args.file, include_spam=not args.no_spam)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (1 when a thread failed)."""
    args = _parser().parse_args(argv)
    if args.format == "threadkit":
        from threadkit.exporters.cli import import_site

        return import_site(args)
    if args.format == "isso":
        from threadkit.importers import isso

        return isso.run(args)
    try:
        export = _read(args)
    except (ThreadkitError, OSError) as error:
        return fail(f"{args.file}: {error}")
    store = open_import_store(args)
    with closing(store):
        report = import_into(
            store, export, close_threads=not args.keep_open, on_refused=args.on_refused
        )
    return finish_import(args.dry_run, report.summary(), failed=bool(report.failed_threads))


if __name__ == "__main__":
    sys.exit(main())
