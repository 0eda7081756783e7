"""``THREADKIT_RESERVED_NAMES``: names only a login may show, handed to the engine's guard.

The check itself is the core's :class:`threadkit.moderation.ImpersonationGuard`
(in the default pipeline); this module reads the setting and gives the names
to every such guard of the app's engine when ``init_app`` runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from threadkit.engine import CommentEngine
from threadkit.moderation import ImpersonationGuard

__all__ = ["parse_reserved_names", "reserve_names"]


def parse_reserved_names(value: object) -> tuple[str, ...]:
    """Return the setting as a tuple of names; refuse anything but a list of strings."""
    if isinstance(value, str):
        value = [value] if value.strip() else []
    if not isinstance(value, Iterable) or not all(isinstance(name, str) for name in value):
        raise TypeError(
            f"THREADKIT_RESERVED_NAMES must be a list of names, such as ['Admin'], got {value!r}"
        )
    return tuple(name for name in value if name.strip())


def reserve_names(engine: CommentEngine, names: tuple[str, ...]) -> None:
    """Give ``names`` to every :class:`ImpersonationGuard` in ``engine``'s pipeline.

    Raises ``RuntimeError`` when names are set but no guard would use them:
    a setting that silently does nothing is worse than none.
    """
    if not names:
        return
    guards = [
        step
        for step in getattr(engine.pipeline, "steps", ())
        if isinstance(step, ImpersonationGuard)
    ]
    if not guards:
        raise RuntimeError(
            "THREADKIT_RESERVED_NAMES is set, but the engine's moderation pipeline has no"
            " ImpersonationGuard to enforce it: build the engine with"
            " pipeline=default_pipeline(store), or add ImpersonationGuard(store) to yours"
        )
    for guard in guards:
        guard.reserve(names)
