"""Move comments from another system's export into any threadkit ``CommentStore``.

Two steps: a parser reads the file into a neutral :class:`Export` without
touching any store, then :func:`import_into` writes it::

    from threadkit.importers import import_into
    from threadkit.importers.wordpress import read_wordpress

    report = import_into(store, read_wordpress("site.wordpress.xml"))
    print(report.summary())

Parsers: :func:`threadkit.importers.wordpress.read_wordpress` (WXR 1.0-1.2)
and :func:`threadkit.importers.disqus.read_disqus`. From a shell:
``python -m threadkit.importers wordpress site.xml --store pkg.module:factory``
(see ``python -m threadkit.importers --help`` and ``docs/importing.md``).
"""

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
    "import_into",
    "ImportReport",
    "Skipped",
    "ImportFormatError",
    "Export",
    "ExportThread",
    "ExportComment",
    "Source",
    "safe_html",
    "autop",
    "IMPORT_TAGS",
]
