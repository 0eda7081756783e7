"""The :class:`~threadkit.ports.AdminStore` half of ``MemoryStore``: bans, search, settings."""

from __future__ import annotations

import bisect
import heapq
import threading
from collections.abc import Mapping
from datetime import datetime
from itertools import islice

import attrs

from .bans import Ban, CommentSearch
from .errors import NotFoundError
from .models import Comment, CommentRows, Status
from .storekit import aware, check_limit, int_cursor, make_cursor

__all__ = ["AdminMemoryPart"]


class AdminMemoryPart:
    """Bans, comment search and per-site settings, under the store's one lock."""

    _lock: threading.Lock
    _comments: dict[int, Comment]
    _by_status: dict[Status, list[int]]

    def _init_admin(self) -> None:
        self._bans: dict[int, Ban] = {}
        self._last_ban_id = 0
        self._site_settings: dict[str, dict[str, str]] = {}

    def add_ban(self, ban: Ban) -> Ban:
        """Store ``ban``; return it with its new ``id``."""
        aware(ban.created_at, "created_at")
        if ban.until is not None:
            aware(ban.until, "until")
        with self._lock:
            self._last_ban_id += 1
            kept = attrs.evolve(ban, id=self._last_ban_id)
            self._bans[kept.id] = kept
            return kept

    def lift_ban(self, ban_id: int) -> None:
        """Remove a ban for good; raise ``NotFoundError`` if there is none with this id."""
        with self._lock:
            if self._bans.pop(ban_id, None) is None:
                raise NotFoundError("not_found", f"There is no ban {ban_id}.")

    def active_bans(self, now: datetime) -> list[Ban]:
        """Every ban in force at ``now``, newest first."""
        moment = aware(now, "now")
        with self._lock:
            return [ban for ban in reversed(self._bans.values()) if ban.active(moment)]

    def search_comments(
        self, search: CommentSearch, *, limit: int, cursor: str | None = None
    ) -> CommentRows:
        """Comments ``search`` matches, in any thread, newest first; ``next_cursor`` continues."""
        check_limit(limit, "limit")
        before = None if cursor is None else int_cursor(cursor, "s", 1)[0]
        with self._lock:
            streams = []
            for status in set(search.wanted_statuses()):
                ids = self._by_status[status]
                end = len(ids) if before is None else bisect.bisect_left(ids, before)
                streams.append([ids[at] for at in range(end - 1, -1, -1)])
            hits = (
                comment
                for comment in (self._comments[i] for i in heapq.merge(*streams, reverse=True))
                if search.matches(
                    thread_key=comment.thread_key,
                    name=comment.author.name,
                    email=comment.author.email,
                    ip=comment.context.ip,
                )
            )
            block = list(islice(hits, limit + 1))
        if len(block) <= limit:
            return CommentRows(block)
        del block[limit:]
        return CommentRows(block, make_cursor("s", block[-1].id))

    def site_settings(self, site: str) -> dict[str, str]:
        """Return the settings last saved for ``site``, or ``{}``."""
        with self._lock:
            return dict(self._site_settings.get(site, {}))

    def save_site_settings(self, site: str, settings: Mapping[str, str]) -> None:
        """Replace the settings of ``site`` with ``settings``."""
        with self._lock:
            self._site_settings[site] = dict(settings)
