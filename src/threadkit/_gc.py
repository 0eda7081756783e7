"""Pausing the cyclic garbage collector around a burst of allocations, safe across threads.

Building a big tree or encoding a big page allocates millions of objects that
form no cycles; every 700 of them would start a collection, and the full ones
walk the whole heap. The pause is process-wide (CPython has one collector), so
calls from several threads share it: the first caller pauses the collector
(when it was on), the last one to finish turns it back on. One thread's call
therefore never ends a pause another thread still relies on, and a collector
the application turned off before stays off.

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

__all__ = ["pause_gc", "resume_gc"]

_lock = threading.Lock()
_pauses = 0  # calls between pause_gc and resume_gc, in every thread
_was_enabled = False  # whether the first of them found the collector on


def pause_gc() -> None:
    """Pause the collector; every call must be followed by one :func:`resume_gc`."""
    global _pauses, _was_enabled
    with _lock:
        if not _pauses:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1


def resume_gc() -> None:
    """End one :func:`pause_gc`; the last one turns the collector back on if it was on."""
    global _pauses
    with _lock:
        _pauses -= 1
        if not _pauses and _was_enabled:
            gc.enable()
