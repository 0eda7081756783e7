"""The wall clock, behind the :class:`~threadkit.ports.Clock` port."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["ManualClock", "SystemClock"]


class SystemClock:
    """The real time, aware, in UTC."""

    def now(self) -> datetime:
        """Return the current time."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until moved: for tests and replays (the test kit's one clock).

    ``step`` makes every reading move the clock forward first (a load test that
    must never trip flood control reads a new moment on each post).
    """

    def __init__(self, start: datetime | None = None, *, step: timedelta = timedelta(0)) -> None:
        self._now = start if start is not None else datetime(2026, 1, 1, tzinfo=UTC)
        self._step = step

    @property
    def moment(self) -> datetime:
        """The current time, without moving the clock (even with a ``step``)."""
        return self._now

    def now(self) -> datetime:
        """Return the current time (``step`` later than the previous reading)."""
        self._now += self._step
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new time."""
        self._now += timedelta(**delta)
        return self._now

    def tick(self, seconds: float = 1.0) -> datetime:
        """Move forward ``seconds`` plus one microsecond (so times stay distinct); return it."""
        return self.advance(seconds=seconds, microseconds=1)
