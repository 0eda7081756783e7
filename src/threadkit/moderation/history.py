"""The slice of a comment store that history-aware moderation steps ask about.

Defined with the other store slices in :mod:`threadkit.ports`; imported here
too, where the moderation steps have always found it.
"""

from __future__ import annotations

from threadkit.ports import ModerationHistory

__all__ = ["ModerationHistory"]
