"""The :class:`~threadkit.ports.ModerationHistory` part of ``MemoryStore``, kept as indexes."""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from datetime import datetime

from ._sorted_ids import ascending
from .models import Comment, Status

__all__ = ["HistoryMemoryPart"]


class HistoryMemoryPart:
    """What moderation steps ask on every post, answered from indexes under the store's lock."""

    _lock: threading.Lock
    _last_comment_id: int
    _comments: dict[int, Comment]
    _by_status: dict[Status, list[int]]
    _by_author: dict[str, list[int]]
    _by_ip: dict[str, list[int]]
    _latest_by_author: dict[str, datetime]
    _latest_by_ip: dict[str, datetime]
    _bodies: Counter[tuple[str, str, str]]
    _approved_by_author: Counter[str]

    def latest_comment_at(
        self, *, ip: str | None = None, author_key: str | None = None
    ) -> datetime | None:
        """When the newest comment from this IP or author was written (any status).

        With both given, a comment matching either counts; with neither, ``None``.
        """
        with self._lock:
            times = [
                self._latest(self._latest_by_ip, self._by_ip, ip),
                self._latest(self._latest_by_author, self._by_author, author_key),
            ]
            return max((t for t in times if t is not None), default=None)

    def has_duplicate(self, thread_key: str, author_key: str, body_source: str) -> bool:
        """Whether this author already wrote exactly this body in this thread (any status)."""
        with self._lock:
            return self._bodies[(thread_key, author_key, body_source)] > 0

    def verified_author_names(self, after_id: int = 0) -> tuple[list[str], int]:
        """Return the names of verified authors of comments after ``after_id``, and the last id.

        Placeholders aside; the cost is the number of comments after ``after_id``.
        """
        with self._lock:
            names: set[str] = set()
            for status in (Status.APPROVED, Status.PENDING, Status.SPAM):
                ids = self._by_status[status]
                for comment_id in ascending(ids, bisect.bisect_right(ids, after_id)):
                    author = self._comments[comment_id].author
                    if author.verified:
                        names.add(author.name)
            return sorted(names), max(after_id, self._last_comment_id)

    def has_approved_comment(self, author_key: str) -> bool:
        """Whether this author has at least one approved comment anywhere."""
        with self._lock:
            return self._approved_by_author[author_key] > 0

    def _latest(
        self, cache: dict[str, datetime], index: dict[str, list[int]], key: str | None
    ) -> datetime | None:
        """Newest ``created_at`` among ``index[key]``, computed once and then kept up to date."""
        if key is None or not index.get(key):
            return None
        if key not in cache:
            cache[key] = max(self._comments[i].created_at for i in index[key])
        return cache[key]

    def _remember(self, comment: Comment, sign: int) -> None:
        """Add (+1) or take back (-1) ``comment`` in the history indexes."""
        author, ip = comment.author.key, comment.context.ip
        self._bodies[(comment.thread_key, author, comment.body_source)] += sign
        if comment.status is Status.APPROVED:
            self._approved_by_author[author] += sign
        for cache, key in ((self._latest_by_author, author), (self._latest_by_ip, ip)):
            if sign < 0:
                cache.pop(key, None)  # recomputed on the next question
            elif key in cache:
                cache[key] = max(cache[key], comment.created_at)
