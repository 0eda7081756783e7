"""One time limit per store call, shared by every wait inside it.

A store call may wait several times in a row: for a free pooled connection,
for the pre-ping of that connection, for a new connection when the ping
failed, for each statement, for the commit. Bounding each wait on its own
would let them add up, so :class:`~threadkit_sqlalchemy.SqlCommentStore`
opens a :func:`call_deadline` around the whole call and the bounded drivers
(:mod:`threadkit_sqlalchemy._drivers`) ask :func:`seconds_left` before every
wait. Outside a call (migrations, an engine used directly) each wait gets the
engine's own limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["call_deadline", "seconds_left"]

_DEADLINE: ContextVar[float | None] = ContextVar("threadkit_sql_deadline", default=None)


@contextmanager
def call_deadline(seconds: float) -> Iterator[float]:
    """Make every database wait in the block end within ``seconds`` from now.

    Yields the deadline (a :func:`time.monotonic` value). A nested block never
    extends the deadline of the block around it.
    """
    deadline = time.monotonic() + seconds
    outer = _DEADLINE.get()
    if outer is not None:
        deadline = min(deadline, outer)
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


def seconds_left(limit: float) -> float:
    """Seconds the next wait may take: what is left of the call, at most ``limit``.

    Never negative; ``0.0`` means the call's time is up.
    """
    deadline = _DEADLINE.get()
    if deadline is None:
        return limit
    return max(0.0, min(limit, deadline - time.monotonic()))
