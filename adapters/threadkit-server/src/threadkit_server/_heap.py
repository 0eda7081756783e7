"""Settling a server process's start-up heap, so a full GC pass stays short.

A worker holds about 100,000 objects the cyclic collector tracks once its app
is built (Flask, SQLAlchemy, the templates, the translations). They live as
long as the process, yet every full collection walks all of them: 15-30 ms,
a request's whole budget, on a request that happened to trigger one.
:func:`settle_heap` collects the start-up garbage once and moves what is left
into the collector's permanent generation (:func:`gc.freeze`), so later full
collections walk only what requests created. Under a pre-forking server it
also keeps the collector from touching (and copying) pages shared with the
parent.

Only the process's owner may do this: it is process-wide. ``create_app()``
(the WSGI servers' factory) and the ``threadkit-server`` command do it; a
host embedding threadkit in its own app decides for itself (docs/server.md).
"""

from __future__ import annotations

import gc

__all__ = ["settle_heap"]


def settle_heap() -> int:
    """Collect once, then freeze every surviving object; return how many are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
