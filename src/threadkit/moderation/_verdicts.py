"""Verdicts the built-in steps give on every post, built once."""

from __future__ import annotations

from typing import Final

from threadkit.models import Verdict

__all__ = ["ACCEPT"]

ACCEPT: Final = Verdict.accept()
"""``Verdict.accept()``, shared: a verdict is frozen, and building one per step per post
cost about a microsecond each (issue 12)."""
