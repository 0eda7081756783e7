"""The slice of a comment store that history-aware moderation steps ask about."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

__all__ = ["ModerationHistory"]


class ModerationHistory(Protocol):
    """What flood control, duplicate detection and first-time approval need to know.

    Every :class:`threadkit.ports.CommentStore` has these three methods, so pass
    your store; the narrow type only lets a test hand in a three-method fake.
    The answers come from the store, never from process memory, so the steps
    hold across every worker and machine that shares it. Example::

        class NoHistory:
            def latest_comment_at(self, *, ip=None, author_key=None) -> datetime | None:
                return None

            def has_duplicate(self, thread_key, author_key, body_source) -> bool:
                return False

            def has_approved_comment(self, author_key: str) -> bool:
                return True
    """

    def latest_comment_at(
        self, *, ip: str | None = None, author_key: str | None = None
    ) -> datetime | None:
        """When the newest comment from this IP or author was written (any status)."""
        ...

    def has_duplicate(self, thread_key: str, author_key: str, body_source: str) -> bool:
        """Whether this author already wrote exactly this body in this thread."""
        ...

    def has_approved_comment(self, author_key: str) -> bool:
        """Whether this author has at least one approved comment anywhere."""
        ...
