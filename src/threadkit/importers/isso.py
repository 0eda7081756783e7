r"""Isso's comments as a neutral :class:`~threadkit.importers.Export`, votes included.

Isso keeps its comments in one SQLite file (tables ``threads`` and
``comments``). The core reads no database, so the rows come from a reader in
an adapter (``threadkit_sqlalchemy.isso.read_isso``, which ``threadkit-import
isso comments.db`` finds through the ``threadkit.readers`` entry point); this
module turns those rows into threadkit's terms and writes them:

* a thread per Isso thread, keyed by its page URI (``thread_key`` changes that);
* modes: 1 is approved, 2 pending, 4 deleted (a placeholder when replies hang
  under it, else skipped, as the other importers do);
* ``text`` is Isso's Markdown source, rendered by threadkit's renderer;
* ``created`` (Unix seconds) is kept; Isso's ``modified`` time is not (threadkit
  sets ``edited_at`` only on its own edits);
* author name, email and website, and the (anonymized) ``remote_addr``;
* likes and dislikes: Isso keeps only the counts (and a Bloom filter of
  addresses), so each is stored as one anonymous vote by a stand-in voter
  ``import-isso-vote:<comment id>:<like|dislike>:<n>``; voting again under the
  same key changes nothing, so a re-run adds no votes.

>>> dump = IssoDump(
...     threads=(IssoThreadRow(1, "/hello/", "Hello"),),
...     comments=(IssoCommentRow(1, 1, None, 1700000000.0, 1, "First!", author="Ann", likes=2),),
... )
>>> from threadkit.memory import MemoryStore
>>> store = MemoryStore()
>>> report = import_isso(store, dump)
>>> comment = store.get_comment(report.ids["1"])
>>> (comment.thread_key, comment.body_html, comment.upvotes)
('/hello/', '<p>First!</p>\n', 2)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import entry_points
from typing import Any, Literal, cast

import attrs

from threadkit.cli import closing, fail, finish_import, open_import_store
from threadkit.errors import ThreadkitError
from threadkit.importers import (
    Export,
    ExportComment,
    ExportThread,
    ImportFormatError,
    ImportReport,
    import_into,
)
from threadkit.models import Status
from threadkit.ports import Clock, CommentStore
from threadkit.render import MarkdownRenderer

__all__ = [
    "MODES",
    "VOTER_PREFIX",
    "IssoCommentRow",
    "IssoDump",
    "IssoThreadRow",
    "READER_GROUP",
    "import_isso",
    "isso_export",
    "read_isso_file",
    "run",
    "uri_key",
]

READER_GROUP = "threadkit.readers"
"""The entry point group where an installed package offers the ``isso`` database reader."""

MODES = {1: Status.APPROVED, 2: Status.PENDING, 4: Status.DELETED}
"""Isso's comment modes and the threadkit status each becomes."""

VOTER_PREFIX = "import-isso-vote"
"""Voter keys of the stand-in voters that carry Isso's like and dislike counts."""


@attrs.frozen
class IssoThreadRow:
    """One row of Isso's ``threads`` table."""

    id: int
    uri: str
    title: str | None = None


@attrs.frozen
class IssoCommentRow:
    """One row of Isso's ``comments`` table (``voters``, a Bloom filter, is not needed)."""

    tid: int
    id: int
    parent: int | None
    created: float
    mode: int
    text: str
    author: str | None = None
    email: str | None = None
    website: str | None = None
    remote_addr: str | None = None
    modified: float | None = None
    likes: int = 0
    dislikes: int = 0
    notification: int = 0


@attrs.frozen
class IssoDump:
    """Every thread and comment of one Isso database, as a reader found them."""

    threads: tuple[IssoThreadRow, ...]
    comments: tuple[IssoCommentRow, ...]


def uri_key(uri: str) -> str:
    """Return the thread key of an Isso page URI: the URI itself (the default)."""
    return uri


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def isso_export(dump: IssoDump, *, thread_key: Callable[[str], str] = uri_key) -> Export:
    """Return ``dump`` as a neutral export (a comment of an unknown mode is skipped)."""
    threads = tuple(
        ExportThread(str(row.id), thread_key(row.uri), row.title or "", row.uri)
        for row in dump.threads
    )
    comments = []
    for row in dump.comments:
        status = MODES.get(row.mode)
        comments.append(
            ExportComment(
                source_id=str(row.id),
                thread_id=str(row.tid),
                parent_id=None if row.parent is None else str(row.parent),
                body=row.text or "",
                status=status or Status.PENDING,
                created_at=_when(row.created),
                author_name=row.author or "",
                author_email=row.email or "",
                author_url=row.website or "",
                ip=row.remote_addr or "",
                skip="" if status else "unknown_mode",
                skip_message="" if status else f"Isso mode {row.mode} is not 1, 2 or 4.",
            )
        )
    return Export("isso", threads, tuple(comments))


def import_isso(
    store: CommentStore,
    dump: IssoDump,
    *,
    thread_key: Callable[[str], str] = uri_key,
    clock: Clock | None = None,
    close_threads: bool = True,
    on_refused: Literal["thread", "comment"] = "thread",
    **options: Any,
) -> ImportReport:
    """Import an Isso dump into ``store`` (idempotent), then its like and dislike counts.

    Bodies are Markdown, rendered with :class:`~threadkit.render.MarkdownRenderer`
    unless ``options`` names another ``html``; other ``options`` go to
    :func:`~threadkit.importers.import_into`.
    """
    options.setdefault("html", MarkdownRenderer().render)
    report = import_into(
        store,
        isso_export(dump, thread_key=thread_key),
        clock=clock,
        close_threads=close_threads,
        on_refused=on_refused,
        **options,
    )
    for row in dump.comments:
        new_id = report.ids.get(str(row.id))
        if new_id is None or MODES.get(row.mode) is not Status.APPROVED:
            continue
        at = _when(row.created)
        for kind, value, count in (("like", 1, row.likes), ("dislike", -1, row.dislikes)):
            for n in range(max(0, count)):
                voter = f"{VOTER_PREFIX}:{row.id}:{kind}:{n}"
                store.vote(new_id, voter, 1 if value > 0 else -1, at=at)
    return report


def read_isso_file(path: str) -> IssoDump:
    """Read an Isso database with the reader an installed package offers (entry point ``isso``).

    threadkit-sqlalchemy offers one. Without it: :class:`ImportFormatError`
    (``wrong_format``) saying what to install.
    """
    found = entry_points(group=READER_GROUP, name="isso")
    if not found:
        raise ImportFormatError(
            "wrong_format",
            "reading an Isso database needs threadkit-sqlalchemy: pip install threadkit-sqlalchemy",
        )
    reader = cast(Callable[[str], IssoDump], next(iter(found)).load())
    return reader(path)


def run(args: argparse.Namespace) -> int:
    """Run ``threadkit-import isso FILE`` with the parsed command line; return the exit status."""
    try:
        dump = read_isso_file(args.file)
    except (ThreadkitError, OSError) as error:
        return fail(f"{args.file}: {error}")
    store = open_import_store(args)
    with closing(store):
        prefix: str = getattr(args, "key_prefix", "") or ""
        report = import_isso(
            store,
            dump,
            thread_key=lambda uri: prefix + uri,
            close_threads=not args.keep_open,
            on_refused=args.on_refused,
        )
    return finish_import(args.dry_run, report.summary(), failed=bool(report.failed_threads))
