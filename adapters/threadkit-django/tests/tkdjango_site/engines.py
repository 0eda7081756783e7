"""Engines the tests name by import path (THREADKIT["ENGINE"])."""

from __future__ import annotations

from typing import Any

from threadkit.engine import CommentEngine
from threadkit.moderation import FirstTimeApproval, Pipeline

HOLD_ALL = {"STORE": "threadkit.memory:MemoryStore", "ENGINE": "tkdjango_site.engines:holding"}
"""``THREADKIT`` for tests whose comments wait for a moderator: memory store, holding engine."""


def holding(store: Any) -> CommentEngine:
    """An engine that holds every first comment of an author for review."""
    return CommentEngine(store, pipeline=Pipeline([FirstTimeApproval(store)]))


def plain(store: Any) -> CommentEngine:
    """An engine with no moderation steps (tests post several comments within seconds)."""
    return CommentEngine(store)
