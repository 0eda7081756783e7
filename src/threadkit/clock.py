"""The wall clock, behind the :class:`~threadkit.ports.Clock` port."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["SystemClock"]


class SystemClock:
    """The real time, aware, in UTC."""

    def now(self) -> datetime:
        """Return the current time."""
        return datetime.now(UTC)
