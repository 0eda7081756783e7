"""Shared by the importer tests: the ../shared/data folder, a fixed clock, id lookups."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from threadkit.clock import ManualClock
from threadkit.importers import ImportReport
from threadkit.memory import MemoryStore
from threadkit.models import Comment

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CLOCK = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))


def shared_file(relative: str) -> Path:
    """Return a file of ../shared/data; skip without it, except under CI=true where it fails."""
    path = DATA / relative
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared test data {path} is missing")
        pytest.skip(f"shared test data not found at {path} (a plain clone has no ../shared)")
    return path


def imported(store: MemoryStore, report: ImportReport, old_id: str) -> Comment:
    """Return the stored comment that came from the export's comment ``old_id``."""
    comment = store.get_comment(report.ids[old_id])
    assert comment is not None
    return comment
