"""What every importer shares: the neutral export model, the report, ``import_into``.

A source parser (:mod:`threadkit.importers.wordpress`,
:mod:`threadkit.importers.disqus`) reads a file into an :class:`Export`
without touching any store; :func:`import_into` then writes an export into
any :class:`~threadkit.ports.CommentStore`. See ``docs/importing.md``.
"""

from __future__ import annotations

from ._html import IMPORT_TAGS, autop, safe_html
from ._model import (
    Export,
    ExportComment,
    ExportThread,
    ImportFormatError,
    ImportReport,
    Skipped,
    Source,
)
from ._write import import_into

__all__ = [
    "IMPORT_TAGS",
    "Export",
    "ExportComment",
    "ExportThread",
    "ImportFormatError",
    "ImportReport",
    "Skipped",
    "Source",
    "autop",
    "import_into",
    "safe_html",
]
