"""Pausing the cyclic garbage collector around a burst of allocations, safe across threads.

Building a big tree or encoding a big page allocates millions of objects that
form no cycles; every 700 of them would start a collection, and the full ones
walk the whole heap. The pause is process-wide (CPython has one collector), so
calls from several threads share it: the first caller pauses the collector
(when it was on), the last one to finish turns it back on. One thread's call
therefore never ends a pause another thread still relies on, and a collector
the application turned off before stays off.

A shared pause is extended only while it is young (:data:`MAX_SHARED_PAUSE`):
a call that finds an older pause runs inside it without joining it, so the
collector comes back on once the calls that did join have finished. Without
that bound, threads building pages back to back in a threaded server could
keep their pauses overlapping, and the collector off, for as long as the load
lasts (reference cycles piling up meanwhile).

>>> import gc
>>> pause_gc()
>>> gc.isenabled()
False
>>> resume_gc()
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
import threading
import time

__all__ = ["MAX_SHARED_PAUSE", "pause_gc", "resume_gc"]

MAX_SHARED_PAUSE = 0.5
"""Seconds after the collector was paused during which another call may still join the pause."""

_lock = threading.Lock()
_pauses = 0  # calls between pause_gc and resume_gc that joined the pause, in every thread
_was_enabled = False  # whether the first of them found the collector on
_paused_at = 0.0  # time.monotonic() when the collector was paused
_joined = threading.local()  # per thread: for each open pause_gc, whether it joined


def pause_gc() -> None:
    """Pause the collector; every call must be followed by one :func:`resume_gc`."""
    global _pauses, _was_enabled, _paused_at
    with _lock:
        if not _pauses:
            _was_enabled = gc.isenabled()
            gc.disable()
            _paused_at = time.monotonic()
            joined = True
        else:
            joined = time.monotonic() - _paused_at < MAX_SHARED_PAUSE
        if joined:
            _pauses += 1
    stack: list[bool] | None = getattr(_joined, "stack", None)
    if stack is None:
        stack = _joined.stack = []
    stack.append(joined)


def resume_gc() -> None:
    """End one :func:`pause_gc`; the last that joined turns the collector back on if it was on."""
    global _pauses
    if not _joined.stack.pop():
        return  # ran inside an older pause without extending it
    with _lock:
        _pauses -= 1
        if not _pauses and _was_enabled:
            gc.enable()
