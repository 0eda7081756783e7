"""Checks on a moderation step's settings, written once for every step."""

from __future__ import annotations

from typing import TypeVar

__all__ = ["optional_not_negative"]

N = TypeVar("N", int, float)


def optional_not_negative(value: N | None, what: str) -> N | None:
    """Return ``value``: ``None`` turns a check off; a negative ``what`` is a ``ValueError``."""
    if value is not None and value < 0:
        raise ValueError(f"{what} must be 0 or more (or None to turn it off), not {value}")
    return value
