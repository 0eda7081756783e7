"""The :class:`~threadkit.ports.SiteStore` part of ``MemoryStore``: whole threads in and out."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from .errors import InvalidParentError, ValidationError
from .models import Comment, NewComment, Notice, Thread
from .ports import StoredVote
from .storekit import aware, check_limit, draft_of

__all__ = ["SiteMemoryPart"]


class SiteMemoryPart:
    """Export and import of whole threads and votes, under the store's one lock."""

    _lock: threading.Lock
    _threads: dict[str, Thread]
    _comments: dict[int, Comment]
    _top_ids: dict[str, list[int]]
    _top_scores: dict[str, list[tuple[int, int]]]
    _thread_ids: dict[str, list[int]]
    _children: dict[int, list[int]]
    _votes: dict[str, dict[int, int]]
    _voters: dict[int, set[str]]
    _votes_by_ip: dict[str, dict[tuple[str, int], datetime]]
    _vote_ip: dict[tuple[str, int], str]

    if TYPE_CHECKING:  # MemoryStore's own, declared for the type checker

        def ensure_thread(
            self, key: str, *, title: str = "", url: str = "", now: datetime
        ) -> Thread: ...

        def add_comment(self, draft: NewComment, notices: Sequence[Notice] = ()) -> Comment: ...

        def _comment(self, comment_id: int) -> Comment: ...

        def _discard_score(self, comment: Comment) -> None: ...

    # --- whole site (threadkit.ports.SiteStore) ------------------------------

    def iter_threads(self, *, batch_size: int = 1000) -> Iterator[Thread]:
        """Yield every thread, oldest first (a snapshot taken at the first item)."""
        check_limit(batch_size, "batch_size")
        with self._lock:
            threads = sorted(self._threads.values(), key=lambda t: (t.created_at, t.key))
        yield from threads

    def iter_thread(self, thread_key: str, *, batch_size: int = 5000) -> Iterator[Comment]:
        """Yield every comment of a thread, any status, depth first, siblings oldest first."""
        check_limit(batch_size, "batch_size")
        with self._lock:
            found: list[Comment] = []
            stack = list(reversed(self._top_ids.get(thread_key, ())))
            while stack:
                comment = self._comments[stack.pop()]
                stack.extend(reversed(self._children.get(comment.id, ())))
                found.append(comment)
        yield from found

    def iter_votes(self, thread_key: str, *, batch_size: int = 5000) -> Iterator[StoredVote]:
        """Yield every standing vote on the comments of one thread."""
        check_limit(batch_size, "batch_size")
        with self._lock:
            found = [
                StoredVote(
                    comment_id,
                    voter,
                    value,
                    self._vote_ip.get((voter, comment_id), ""),
                    self._votes_by_ip.get(self._vote_ip.get((voter, comment_id), ""), {}).get(
                        (voter, comment_id)
                    ),
                )
                for comment_id in self._thread_ids.get(thread_key, ())
                for voter in sorted(self._voters.get(comment_id, ()))
                for value in (self._votes[voter][comment_id],)
            ]
        yield from found

    def bulk_load(
        self, thread_key: str, rows: Iterable[Comment], *, batch_size: int = 5000
    ) -> dict[int, int]:
        """Add many comments to one thread, keeping statuses, tallies and times.

        ``rows`` come parent first; their ids are the source's (new ones are
        assigned and returned as ``{old id: new id}``). The thread is created
        at the first row's time if it is new. Nothing is written if a row
        answers a comment that is not an earlier row.
        """
        check_limit(batch_size, "batch_size")
        items = list(rows)
        seen: set[int] = set()
        for item in items:
            if item.parent_id is not None and item.parent_id not in seen:
                raise InvalidParentError(
                    "invalid_parent",
                    f"Row {item.id} answers {item.parent_id}, which is not an earlier row"
                    " of this load.",
                    field="parent_id",
                )
            seen.add(item.id)
        if not items:
            return {}
        self.ensure_thread(thread_key, now=items[0].created_at)
        mapping: dict[int, int] = {}
        for item in items:
            parent = None if item.parent_id is None else mapping[item.parent_id]
            added = self.add_comment(draft_of(item, thread_key=thread_key, parent_id=parent))
            with self._lock:
                if item.upvotes or item.downvotes:
                    self._discard_score(added)
                updated = attrs.evolve(
                    self._comments[added.id],
                    upvotes=item.upvotes,
                    downvotes=item.downvotes,
                    edited_at=item.edited_at,
                )
                self._comments[added.id] = updated
                if parent is None and (item.upvotes or item.downvotes):
                    bisect.insort(self._top_scores[thread_key], (-updated.score, added.id))
            mapping[item.id] = added.id
        return mapping

    def load_votes(self, votes: Iterable[StoredVote]) -> int:
        """Store vote rows as they are (tallies unchanged); return how many."""
        count = 0
        with self._lock:
            for vote in votes:
                self._comment(vote.comment_id)
                if vote.value not in (-1, 1):
                    raise ValidationError(
                        "invalid_vote",
                        f"A stored vote is -1 or 1, not {vote.value!r}.",
                        field="value",
                    )
                key = (vote.voter_key, vote.comment_id)
                self._votes.setdefault(vote.voter_key, {})[vote.comment_id] = vote.value
                self._voters.setdefault(vote.comment_id, set()).add(vote.voter_key)
                if vote.ip and vote.at is not None:  # kept together, as vote() does
                    self._vote_ip[key] = vote.ip
                    self._votes_by_ip.setdefault(vote.ip, {})[key] = aware(vote.at, "at")
                count += 1
        return count

    def comments_by_email(self, email: str) -> list[Comment]:
        """Every comment whose author email is ``email`` (ignoring case), oldest first."""
        wanted = email.strip().lower()
        with self._lock:
            return [
                c
                for _, c in sorted(self._comments.items())
                if c.author.email is not None and c.author.email.lower() == wanted
            ]
