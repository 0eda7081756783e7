r"""``threadkit-data``: export or erase one person's data, by email or by identity key.

::

    threadkit-data export --email ada@example.org --store pkg.module:factory \
        --store-arg sqlite:///comments.db -o ada.json
    threadkit-data erase --email ada@example.org --yes --store ...
    threadkit-data erase --identity github:4242 --yes --store ...

By email finds every comment written with that address, anonymous ones
included (their identity is only a browser cookie), and the votes of the
identities that wrote them. ``erase`` asks for ``--yes``: comments with
replies become anonymous placeholders so threads stay readable, the others
are removed, and the votes are withdrawn. See ``docs/personal-data.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from threadkit.cli import STORE_ERRORS, add_store_options, closing, fail, load_store
from threadkit.engine import CommentEngine, PersonalData
from threadkit.errors import ThreadkitError
from threadkit.serialization import dumps

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="threadkit-data", description="Export or erase one person's comments and votes."
    )
    parser.add_argument("action", choices=["export", "erase"])
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="every comment written with this email address")
    who.add_argument("--identity", help="one identity key, provider:subject")
    add_store_options(parser)
    parser.add_argument("-o", "--output", help="export: file to write (default: standard output)")
    parser.add_argument("--yes", action="store_true", help="erase: really erase (required)")
    return parser


def _export(engine: CommentEngine, args: argparse.Namespace) -> PersonalData:
    if args.email is not None:
        return engine.export_email(args.email)
    return engine.export(args.identity)


def _act(engine: CommentEngine, args: argparse.Namespace) -> None:
    if args.action == "export":
        data = dumps(_export(engine, args)).decode("utf-8") + "\n"
        if args.output:
            Path(args.output).write_text(data, encoding="utf-8")
        else:
            sys.stdout.write(data)
        return
    if args.email is not None:
        erased = engine.erase_email(args.email)
    else:
        erased = engine.erase(args.identity)
    print(f"erased {erased} comments and the votes of {args.email or args.identity}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2 on a usage, store or file error)."""
    args = _parser().parse_args(argv)
    if args.action == "erase" and not args.yes:
        return fail("erase deletes data for good; add --yes to confirm")
    try:
        store = load_store(args.store, args.store_arg)
    except STORE_ERRORS as error:
        return fail(f"--store {args.store}: {error}")
    with closing(store):
        try:
            _act(CommentEngine(store), args)
        except (ThreadkitError, OSError, TypeError) as error:
            return fail(str(error))
    return 0

if __name__ == "__main__":
    sys.exit(main())
