"""A new thread's raw ``tk_threads`` row, for tests that write below the store's API."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def new_thread_row(key: str, created_at: datetime) -> dict[str, Any]:
    """Return the columns of a new, open, empty thread ``key`` (no ``id``: the table assigns it)."""
    return {
        "key": key,
        "title": "",
        "url": "",
        "closed": False,
        "created_at": created_at,
        "comment_count": 0,
        "top_level_count": 0,
        "top_seq": 0,
    }
