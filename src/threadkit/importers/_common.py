"""The two names ``python -m threadkit.importers`` takes from the shared import code.

The shared code itself is split by job: :mod:`._model` (the export model and
the report), :mod:`._html`, :mod:`._clean`, :mod:`._plan` and :mod:`._write`
(``import_into``); :mod:`threadkit.importers` re-exports the public names.
"""

from __future__ import annotations

from ._model import Export
from ._write import import_into

__all__ = ["Export", "import_into"]
