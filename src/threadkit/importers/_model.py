"""The neutral export model every parser reads into, and the report of an import."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import BinaryIO, TypeAlias

import attrs

from threadkit.errors import ValidationError
from threadkit.models import Status

__all__ = [
    "Export",
    "ExportComment",
    "ExportThread",
    "ImportFormatError",
    "ImportReport",
    "Skipped",
    "Source",
]


Source: TypeAlias = "str | os.PathLike[str] | bytes | BinaryIO"
"""Where an export comes from: a file path, the file's bytes, or a binary file object."""


class ImportFormatError(ValidationError):
    """The file is not a readable export of the expected kind; nothing was written.

    Codes: ``malformed_xml``, ``wrong_format`` (another kind of file),
    ``doctype_refused`` (a DTD or entity declaration, refused for safety).
    """

    default_code = "invalid_export"


@attrs.frozen
class ExportThread:
    """One commented page of the old site.

    ``source_id`` is the old system's id; ``key`` the threadkit thread key the
    parser chose (with its configurable key function).
    """

    source_id: str
    key: str
    title: str = ""
    url: str = ""
    closed: bool = False
    created_at: datetime | None = None


@attrs.frozen
class ExportComment:
    """One comment as the old system exported it, before any cleaning.

    ``body`` is the exported HTML, unchanged. ``status`` is where it stood in
    moderation there; ``Status.DELETED`` means deleted (or trashed) there.
    ``skip`` is a reason code when the parser already decided not to import
    it (a pingback, say) and ``skip_message`` says why; it is still listed so
    its replies can move up to its nearest imported ancestor.
    ``account`` is a stable account id from the old system (a WordPress user
    id, a Disqus username), used before the email to tell authors apart.
    """

    source_id: str
    thread_id: str
    parent_id: str | None
    body: str
    status: Status
    created_at: datetime
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    account: str = ""
    ip: str = ""
    user_agent: str = ""
    skip: str = ""
    skip_message: str = ""


@attrs.frozen
class Skipped:
    """A comment (or record) not imported, with a machine code and a message."""

    source_id: str
    code: str
    message: str
    thread_id: str = ""


@attrs.frozen
class Export:
    """Everything a parser read from one export file.

    ``source`` names the old system (``"wordpress"``, ``"disqus"``); imported
    authors get the identity provider ``"import-<source>"``. ``skipped`` and
    ``warnings`` hold what the parser could not read at all.
    """

    source: str
    threads: tuple[ExportThread, ...]
    comments: tuple[ExportComment, ...]
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        """The identity provider name imported authors get."""
        return f"import-{self.source}"


@attrs.frozen
class ImportReport:
    """What :func:`import_into` did.

    * ``threads``: keys of the threads that hold imported comments (new or not);
      ``created_threads`` those this run created.
    * ``imported``: comments added by this run, placeholders included;
      ``placeholders`` how many of them are deleted-comment placeholders;
      ``statuses`` the added comments per status.
    * ``already_present``: comments found already imported (a re-run).
    * ``skipped``: comments not imported, each with a reason.
    * ``failed_threads``: threads whose import was rolled back (code
      ``thread_failed``); their comments are not in any other count.
    * ``warnings``: things fixed on the way (a bad email dropped, a reply
      whose parent is missing moved to the top level, ...).
    * ``ids``: old comment id to threadkit comment id, for every comment that
      is in the store after the run (added now or before).
    """

    source: str
    threads: tuple[str, ...] = ()
    created_threads: tuple[str, ...] = ()
    imported: int = 0
    placeholders: int = 0
    already_present: int = 0
    statuses: Mapping[Status, int] = attrs.field(factory=dict)
    skipped: tuple[Skipped, ...] = ()
    failed_threads: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()
    ids: Mapping[str, int] = attrs.field(factory=dict)

    def skipped_by_code(self) -> dict[str, int]:
        """How many comments were skipped for each reason code."""
        return dict(Counter(item.code for item in self.skipped))

    def summary(self) -> str:
        """Return a few human-readable lines (what the command line prints)."""
        statuses = ", ".join(
            f"{count} {status.value}" for status, count in self.statuses.items() if count
        )
        lines = [
            f"source: {self.source}",
            f"threads: {len(self.threads)} ({len(self.created_threads)} created)",
            f"comments imported: {self.imported}" + (f" ({statuses})" if statuses else ""),
            f"placeholders for deleted comments: {self.placeholders}",
            f"already present (earlier run): {self.already_present}",
        ]
        codes = self.skipped_by_code()
        by_code = ", ".join(f"{n} {c}" for c, n in sorted(codes.items()))
        lines.append(f"skipped: {len(self.skipped)}" + (f" ({by_code})" if codes else ""))
        lines += [f"  skipped {s.source_id}: {s.code}: {s.message}" for s in self.skipped]
        lines += [f"FAILED thread {f.thread_id}: {f.message}" for f in self.failed_threads]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)
