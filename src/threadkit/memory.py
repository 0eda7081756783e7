"""The reference :class:`~threadkit.ports.CommentStore`, kept in process memory.

``MemoryStore`` keeps every thread, comment, vote and outbox message in plain
dicts and sorted lists behind one lock. It is the store the engine's own tests,
the examples and quick prototypes use, and it passes the same conformance suite
(:class:`threadkit.testing.CommentStoreSuite`) as every real store. Nothing
survives the process, and two processes never share one, so it is not for a
site served by several workers.

It is built like a real store: a page costs work in proportion to the page,
never to the thread (sorted top-level index per thread and sort order, child
lists per comment, keyset cursors), and every counter is kept in step with the
write that changes it.

>>> from datetime import UTC, datetime
>>> from threadkit.models import Identity, NewComment, SortOrder, Status, Visibility
>>> store = MemoryStore()
>>> now = datetime(2026, 1, 1, tzinfo=UTC)
>>> thread = store.ensure_thread("post-1", title="Hello", now=now)
>>> ada = Identity("anonymous", "b1", "Ada")
>>> first = store.add_comment(
...     NewComment("post-1", None, ada, "Hi", "<p>Hi</p>", Status.APPROVED, now)
... )
>>> reply = store.add_comment(
...     NewComment("post-1", first.id, ada, "Re", "<p>Re</p>", Status.APPROVED, now)
... )
>>> rows = store.page(
...     "post-1", sort=SortOrder.OLDEST, visibility=Visibility(), top_limit=10, total_limit=100
... )
>>> [(c.id, c.depth) for c in rows.comments], rows.next_cursor
([(1, 0), (2, 1)], None)
>>> store.get_thread("post-1").comment_count
2
"""

from __future__ import annotations

import bisect
import heapq
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import chain, islice

import attrs

from ._memory_admin import AdminMemoryPart
from ._memory_history import HistoryMemoryPart
from ._memory_outbox import OutboxMemoryPart
from ._memory_site import SiteMemoryPart
from ._memory_subscriptions import SubscriptionMemoryPart
from ._sorted_ids import ascending, descending, discard_sorted, insert_sorted
from .errors import ConflictError, InvalidParentError, NotFoundError
from .guards import IdempotencyKey, MinInterval, NoDuplicate, OpenThread, VoteGuard
from .models import (
    Comment,
    CommentRows,
    NewComment,
    Notice,
    OutboxMessage,
    SortOrder,
    Status,
    Thread,
    Visibility,
)
from .storekit import (
    REPLY_COUNTED,
    CastVote,
    PageEntry,
    PageQuery,
    VoteEntry,
    aware,
    bad_cursor,
    check_limit,
    int_cursor,
    make_cursor,
    stored_comment,
    vote_delta,
    with_edits,
)

__all__ = ["MemoryStore"]


class MemoryStore(
    PageEntry,
    VoteEntry,
    SiteMemoryPart,
    HistoryMemoryPart,
    OutboxMemoryPart,
    AdminMemoryPart,
    SubscriptionMemoryPart,
):
    """A thread-safe :class:`~threadkit.ports.CommentStore` held in memory.

    One lock guards everything, so each method is one atomic transaction.
    Cursors are short opaque strings such as ``"o.41"``; a cursor from one
    query must only be passed back to the same query, and a foreign or stale
    one raises ``ValidationError`` with code ``invalid_cursor``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_comment_id = 0
        self._last_message_id = 0
        self._threads: dict[str, Thread] = {}
        self._comments: dict[int, Comment] = {}
        # Per thread: top-level ids ascending, and (-score, id) ascending for TOP.
        self._top_ids: dict[str, list[int]] = {}
        self._top_scores: dict[str, list[tuple[int, int]]] = {}
        # Per thread: every comment id ascending (recent() of one thread).
        self._thread_ids: dict[str, list[int]] = {}
        # Per comment: direct reply ids ascending (creation order).
        self._children: dict[int, list[int]] = {}
        self._by_status: dict[Status, list[int]] = {status: [] for status in Status}
        self._by_author: dict[str, list[int]] = {}
        self._by_ip: dict[str, list[int]] = {}
        # History the moderation steps ask about on every post, kept so that a
        # regular with thousands of comments does not make each post scan them:
        # newest time per author / IP (filled lazily, dropped when it may have
        # changed), (thread, author, body) counts, approved counts per author.
        self._latest_by_author: dict[str, datetime] = {}
        self._latest_by_ip: dict[str, datetime] = {}
        self._bodies: Counter[tuple[str, str, str]] = Counter()
        self._approved_by_author: Counter[str] = Counter()
        # voter -> {comment id: +1 or -1}, and comment id -> its voters.
        self._votes: dict[str, dict[int, int]] = {}
        self._voters: dict[int, set[str]] = {}
        # ip -> {(voter, comment id): when the standing vote was first cast}.
        self._votes_by_ip: dict[str, dict[tuple[str, int], datetime]] = {}
        self._vote_ip: dict[tuple[str, int], str] = {}
        # idempotency digest -> (fingerprint, comment id, expires at).
        self._idempotency: dict[str, tuple[str, int, datetime]] = {}
        self._outbox: dict[int, OutboxMessage] = {}
        self._leases: dict[int, datetime] = {}
        self._init_admin()
        self._init_subscriptions()

    # --- threads -----------------------------------------------------------

    def ensure_thread(self, key: str, *, title: str = "", url: str = "", now: datetime) -> Thread:
        """Return the thread ``key``, creating it (open, no comments) if it is new.

        An existing thread keeps its title and url unless it had none.
        """
        created_at = aware(now, "now")
        with self._lock:
            thread = self._threads.get(key)
            if thread is None:
                thread = Thread(key, created_at, title, url)
                self._threads[key] = thread
                self._top_ids[key] = []
                self._top_scores[key] = []
                self._thread_ids[key] = []
                return thread
            if (title and not thread.title) or (url and not thread.url):
                thread = attrs.evolve(
                    thread,
                    title=thread.title or title,
                    url=thread.url or url,
                    version=thread.version + 1,
                )
                self._threads[key] = thread
            return thread

    def get_thread(self, key: str) -> Thread | None:
        """Return the thread ``key``, or ``None``."""
        with self._lock:
            return self._threads.get(key)

    def thread_version(self, key: str) -> int | None:
        """Return the thread's ``version`` (:class:`~threadkit.cache.ThreadVersions`), or None."""
        with self._lock:
            thread = self._threads.get(key)
            return None if thread is None else thread.version

    def set_thread_closed(self, key: str, closed: bool) -> Thread:
        """Open or close a thread; raise ``NotFoundError`` if it does not exist."""
        with self._lock:
            thread = self._thread(key)
            thread = attrs.evolve(thread, closed=closed, version=thread.version + 1)
            self._threads[key] = thread
            return thread

    def counts(self, keys: Sequence[str]) -> dict[str, int]:
        """Approved-comment counts for many threads at once; unknown keys count 0."""
        with self._lock:
            result: dict[str, int] = {}
            for key in keys:
                thread = self._threads.get(key)
                result[key] = 0 if thread is None else thread.comment_count
            return result

    # --- comments ----------------------------------------------------------

    def add_comment(self, draft: NewComment, notices: Sequence[Notice] = ()) -> Comment:
        """Store a comment as :meth:`~threadkit.ports.CommentWriter.add_comment` says."""
        created_at = aware(draft.created_at, "created_at")
        with self._lock:
            thread = self._thread(draft.thread_key)
            if draft.idempotency is not None:
                replayed = self._replay(draft.idempotency, created_at)
                if replayed is not None:
                    return replayed
            self._check_guards(draft, created_at, closed=thread.closed)
            parent: Comment | None = None
            if draft.parent_id is not None:
                parent = self._comments.get(draft.parent_id)
                if parent is None or parent.thread_key != draft.thread_key:
                    raise InvalidParentError(
                        "invalid_parent",
                        f"Comment {draft.parent_id} does not exist in thread"
                        f" {draft.thread_key!r}; reply to a comment of the same thread.",
                        field="parent_id",
                    )
            self._last_comment_id += 1
            comment_id = self._last_comment_id
            comment = stored_comment(
                draft,
                comment_id,
                root_id=comment_id if parent is None else parent.root_id,
                depth=0 if parent is None else parent.depth + 1,
                created_at=created_at,
            )
            self._comments[comment_id] = comment
            self._thread_ids[comment.thread_key].append(comment_id)
            if parent is None:
                self._top_ids[comment.thread_key].append(comment_id)
                bisect.insort(self._top_scores[comment.thread_key], (0, comment_id))
            else:
                self._children.setdefault(parent.id, []).append(comment_id)
            self._by_status[comment.status].append(comment_id)
            self._by_author.setdefault(comment.author.key, []).append(comment_id)
            self._by_ip.setdefault(comment.context.ip, []).append(comment_id)
            self._remember(comment, +1)
            self._count(comment, +1)
            self._bump(comment.thread_key)
            self._queue(comment, notices, created_at)
            self._subscribe(draft, comment_id)
            if draft.idempotency is not None:
                key = draft.idempotency
                self._idempotency[key.digest] = (key.fingerprint, comment_id, key.expires_at)
            return comment

    def find_idempotent(self, key: IdempotencyKey, *, now: datetime) -> Comment | None:
        """Return the comment a live (unexpired at ``now``) ``key`` made, or ``None``.

        Raises ``key.reused()`` if the key was stored with another
        ``fingerprint``, and ``key.gone()`` if its comment has been removed.
        """
        at = aware(now, "now")
        with self._lock:
            return self._replay(key, at)

    def _replay(self, key: IdempotencyKey, now: datetime) -> Comment | None:
        """Answer :meth:`find_idempotent`; call with the lock held."""
        found = self._idempotency.get(key.digest)
        if found is None:
            return None
        fingerprint, comment_id, expires_at = found
        if expires_at <= now:
            del self._idempotency[key.digest]
            return None
        if fingerprint != key.fingerprint:
            raise key.reused()
        comment = self._comments.get(comment_id)
        if comment is None:
            raise key.gone()
        return comment

    def _check_guards(self, draft: NewComment, now: datetime, *, closed: bool) -> None:
        """Raise the error of the first guard of ``draft`` that trips; call with the lock held.

        ``closed`` is whether the draft's thread is closed now.
        """
        for guard in draft.guards:
            if isinstance(guard, OpenThread):
                if closed:
                    raise guard.error()
            elif isinstance(guard, NoDuplicate):
                if self._bodies[(draft.thread_key, draft.author.key, draft.body_source)] > 0:
                    raise guard.error()
            elif isinstance(guard, MinInterval):
                if guard.scope == "ip":
                    latest = self._latest(self._latest_by_ip, self._by_ip, guard.value)
                else:
                    latest = self._latest(self._latest_by_author, self._by_author, guard.value)
                error = guard.error(latest, now)
                if error is not None:
                    raise error

    def get_comment(self, comment_id: int) -> Comment | None:
        """Return one comment in any status, or ``None``."""
        with self._lock:
            return self._comments.get(comment_id)

    def update_comment(
        self, comment: Comment, notices: Sequence[Notice] = (), *, now: datetime
    ) -> Comment:
        """Write an edit as :meth:`~threadkit.ports.CommentWriter.update_comment` says."""
        at = aware(now, "now")
        edited_at = None if comment.edited_at is None else aware(comment.edited_at, "edited_at")
        with self._lock:
            old = self._comment(comment.id)
            new = with_edits(old, comment, edited_at=edited_at)
            if new.status is not old.status:
                self._count(old, -1)
                self._count(new, +1)
                discard_sorted(self._by_status[old.status], old.id)
                insert_sorted(self._by_status[new.status], new.id)
            if new.author.key != old.author.key:
                self._unindex(self._by_author, old.author.key, old.id)
                insert_sorted(self._by_author.setdefault(new.author.key, []), new.id)
            if new.context.ip != old.context.ip:
                self._unindex(self._by_ip, old.context.ip, old.id)
                insert_sorted(self._by_ip.setdefault(new.context.ip, []), new.id)
            self._remember(old, -1)
            self._remember(new, +1)
            self._comments[new.id] = new
            self._bump(new.thread_key)
            self._queue(new, notices, at)
            return new

    def remove_comment(self, comment_id: int) -> None:
        """Delete a comment that has no replies (of any status) for good.

        Raises ``ConflictError`` if it still has replies, ``NotFoundError`` if
        it does not exist. Counters and the comment's votes go with it; queued
        outbox messages about it stay (the notifier then gets no comment).
        """
        with self._lock:
            comment = self._comment(comment_id)
            if self._children.get(comment_id):
                raise ConflictError(
                    "has_replies",
                    f"Comment {comment_id} still has replies; replace it with a deleted"
                    " placeholder instead of removing it.",
                )
            self._count(comment, -1)
            self._remember(comment, -1)
            self._bump(comment.thread_key)
            del self._comments[comment_id]
            self._children.pop(comment_id, None)
            discard_sorted(self._thread_ids[comment.thread_key], comment_id)
            if comment.parent_id is None:
                discard_sorted(self._top_ids[comment.thread_key], comment_id)
                self._discard_score(comment)
            else:
                discard_sorted(self._children[comment.parent_id], comment_id)
            discard_sorted(self._by_status[comment.status], comment_id)
            self._unindex(self._by_author, comment.author.key, comment_id)
            self._unindex(self._by_ip, comment.context.ip, comment_id)
            for voter in self._voters.pop(comment_id, set()):
                self._forget_vote_ip(voter, comment_id)
                self._votes[voter].pop(comment_id, None)
                if not self._votes[voter]:
                    del self._votes[voter]

    def child_count(self, comment_id: int) -> int:
        """How many direct replies ``comment_id`` has, in any status (0 if unknown)."""
        with self._lock:
            return len(self._children.get(comment_id, ()))

    def _read_page(self, thread_key: str, query: PageQuery) -> CommentRows:
        """Read one page of a thread (see :class:`~threadkit.storekit.PageEntry`)."""
        sort, visibility, cursor = query.sort, query.visibility, query.cursor
        top_limit, total_limit = query.top_limit, query.total_limit
        with self._lock:
            if thread_key not in self._threads:
                return CommentRows([])
            rows: list[Comment] = []
            included = 0
            last: Comment | None = None
            full = False
            more = False
            cut: str | None = None
            for top_id in self._top_order(thread_key, sort, cursor):
                top = self._comments[top_id]
                replies = self._walk(top_id, visibility)
                if not visibility.can_see(top):
                    # Listed only to hold the place of replies this reader may see.
                    first = next(replies, None)
                    if first is None:
                        continue
                    replies = chain([first], replies)
                if full or included == top_limit:
                    more = True
                    break
                room = total_limit - len(rows)
                block = list(islice(chain([top], replies), room + 1))
                if len(block) > room:
                    if included:
                        more = True
                        break
                    del block[room:]
                    if room > 1:  # the subtree continues after the page's last reply
                        cut = make_cursor("s", top_id, block[-1].id)
                rows.extend(block)
                included += 1
                last = top
                full = len(rows) >= total_limit
            next_cursor = None
            if more and last is not None:
                next_cursor = self._top_cursor(sort, last)
            return CommentRows(rows, next_cursor, cut)

    def _read_subtree(
        self, comment_id: int, visibility: Visibility, cursor: str | None, total_limit: int
    ) -> CommentRows:
        """Read replies below a comment (see :class:`~threadkit.storekit.PageEntry`)."""
        with self._lock:
            if comment_id not in self._comments:
                return CommentRows([])
            stack = None
            if cursor is not None:
                subtree_root, last_id = int_cursor(cursor, "s", 2)
                if subtree_root != comment_id:
                    raise bad_cursor(cursor)
                stack = self._resume(comment_id, last_id, cursor)
            block = list(islice(self._walk(comment_id, visibility, stack), total_limit + 1))
            if len(block) <= total_limit:
                return CommentRows(block)
            del block[total_limit:]
            return CommentRows(block, make_cursor("s", comment_id, block[-1].id))

    def recent(self, limit: int, thread_key: str | None = None) -> list[Comment]:
        """Return the newest approved comments, newest first, optionally of one thread."""
        if limit < 1:
            return []
        with self._lock:
            if thread_key is None:
                approved = self._by_status[Status.APPROVED]
                return [
                    self._comments[i] for i in islice(descending(approved, len(approved)), limit)
                ]
            ids = self._thread_ids.get(thread_key, [])
            found = (self._comments[i] for i in descending(ids, len(ids)))
            return list(islice((c for c in found if c.status is Status.APPROVED), limit))

    def moderation_queue(
        self, statuses: Sequence[Status], *, limit: int, cursor: str | None = None
    ) -> CommentRows:
        """Comments in ``statuses``, newest first, for the moderation queue."""
        check_limit(limit, "limit")
        with self._lock:
            before = None if cursor is None else int_cursor(cursor, "q", 1)[0]
            streams = []
            for status in set(statuses):
                ids = self._by_status[status]
                end = len(ids) if before is None else bisect.bisect_left(ids, before)
                streams.append(descending(ids, end))
            block = [
                self._comments[i] for i in islice(heapq.merge(*streams, reverse=True), limit + 1)
            ]
            if len(block) <= limit:
                return CommentRows(block)
            del block[limit:]
            return CommentRows(block, make_cursor("q", block[-1].id))

    def comments_by_author(self, author_key: str) -> list[Comment]:
        """Every comment whose ``author.key`` is ``author_key``, oldest first."""
        with self._lock:
            return [self._comments[i] for i in self._by_author.get(author_key, [])]

    # --- votes ---------------------------------------------------------------

    def _cast_vote(self, vote: CastVote) -> Comment:
        """Store a checked vote (see :class:`~threadkit.storekit.VoteEntry`)."""
        comment_id, voter_key, new = vote.comment_id, vote.voter_key, vote.value
        ip, when = vote.ip, vote.at
        with self._lock:
            comment = self._comment(comment_id)
            mine = self._votes.get(voter_key, {})
            old = mine.get(comment_id, 0)
            if new and not old:
                self._check_vote_guards(comment, vote.guards, when)
                if ip and when is not None:
                    self._votes_by_ip.setdefault(ip, {})[(voter_key, comment_id)] = when
                    self._vote_ip[(voter_key, comment_id)] = ip
            if new:
                self._votes.setdefault(voter_key, mine)[comment_id] = new
                self._voters.setdefault(comment_id, set()).add(voter_key)
            elif old:
                del mine[comment_id]
                if not mine:
                    del self._votes[voter_key]
                self._voters[comment_id].discard(voter_key)
                self._forget_vote_ip(voter_key, comment_id)
            return self._tally(comment, old, new)

    def _check_vote_guards(
        self, comment: Comment, guards: Sequence[VoteGuard], at: datetime | None
    ) -> None:
        """Raise the error of the first vote guard that trips; call with the lock held."""
        for guard in guards:
            assert at is not None  # check_vote_call refused guards without a time
            since = guard.since(at)
            cast = [
                when
                for (_, cid), when in self._votes_by_ip.get(guard.ip, {}).items()
                if when > since
                and cid in self._comments
                and (
                    cid == comment.id
                    if guard.scope == "comment"
                    else self._comments[cid].thread_key == comment.thread_key
                )
            ]
            error = guard.error(cast, at)
            if error is not None:
                raise error

    def _forget_vote_ip(self, voter_key: str, comment_id: int) -> None:
        """Drop a withdrawn vote from the per-IP index; call with the lock held."""
        ip = self._vote_ip.pop((voter_key, comment_id), None)
        if ip is not None:
            cast = self._votes_by_ip[ip]
            cast.pop((voter_key, comment_id), None)
            if not cast:
                del self._votes_by_ip[ip]

    def votes_by(self, voter_key: str) -> dict[int, int]:
        """Every vote this voter cast, as ``{comment_id: +1 or -1}``."""
        with self._lock:
            return dict(self._votes.get(voter_key, {}))

    def erase_votes(self, voter_key: str) -> int:
        """Withdraw every vote this voter cast; return how many there were."""
        with self._lock:
            mine = self._votes.pop(voter_key, {})
            for comment_id, value in mine.items():
                self._voters[comment_id].discard(voter_key)
                self._forget_vote_ip(voter_key, comment_id)
                self._tally(self._comments[comment_id], value, 0)
            return len(mine)

    # --- private helpers (call with the lock held) ---------------------------

    def _thread(self, key: str) -> Thread:
        """Return the thread ``key`` or raise ``NotFoundError``."""
        thread = self._threads.get(key)
        if thread is None:
            raise NotFoundError(
                "thread_not_found",
                f"No thread {key!r}; create it with ensure_thread first.",
                field="thread_key",
            )
        return thread

    def _comment(self, comment_id: int) -> Comment:
        """Return the comment ``comment_id`` or raise ``NotFoundError``."""
        comment = self._comments.get(comment_id)
        if comment is None:
            raise NotFoundError(
                "comment_not_found", f"No comment {comment_id}.", field="comment_id"
            )
        return comment

    def _count(self, comment: Comment, sign: int) -> None:
        """Add (``+1``) or take away (``-1``) ``comment``'s share of the counters."""
        if comment.status is Status.APPROVED:
            thread = self._threads[comment.thread_key]
            top = sign if comment.parent_id is None else 0
            self._threads[comment.thread_key] = attrs.evolve(
                thread,
                comment_count=thread.comment_count + sign,
                top_level_count=thread.top_level_count + top,
            )
        if comment.parent_id is not None and comment.status in REPLY_COUNTED:
            parent = self._comments[comment.parent_id]
            self._comments[parent.id] = attrs.evolve(parent, reply_count=parent.reply_count + sign)

    def _bump(self, thread_key: str) -> None:
        """Raise the thread's ``version``: its pages changed (caches keyed by it go stale)."""
        thread = self._threads[thread_key]
        self._threads[thread_key] = attrs.evolve(thread, version=thread.version + 1)

    def _queue(self, comment: Comment, notices: Sequence[Notice], at: datetime) -> None:
        """Queue one outbox message per notice about ``comment``, due at ``at``."""
        for notice in notices:
            self._last_message_id += 1
            self._outbox[self._last_message_id] = OutboxMessage(
                id=self._last_message_id,
                channel=notice.channel,
                kind=notice.kind,
                comment_id=comment.id,
                thread_key=comment.thread_key,
                created_at=at,
                next_attempt_at=at,
            )

    def _tally(self, comment: Comment, old: int, new: int) -> Comment:
        """Move one vote on ``comment`` from ``old`` to ``new``; store and return it."""
        if old == new:
            return comment
        up, down = vote_delta(old, new)
        updated = attrs.evolve(
            comment, upvotes=comment.upvotes + up, downvotes=comment.downvotes + down
        )
        self._comments[comment.id] = updated
        self._bump(comment.thread_key)
        if comment.parent_id is None and updated.score != comment.score:
            self._discard_score(comment)
            bisect.insort(self._top_scores[comment.thread_key], (-updated.score, comment.id))
        return updated

    def _discard_score(self, comment: Comment) -> None:
        """Remove a top-level comment from its thread's score index."""
        scores = self._top_scores[comment.thread_key]
        key = (-comment.score, comment.id)
        at = bisect.bisect_left(scores, key)
        if at < len(scores) and scores[at] == key:
            del scores[at]

    @staticmethod
    def _unindex(index: dict[str, list[int]], key: str, comment_id: int) -> None:
        """Remove ``comment_id`` from ``index[key]``, dropping the key when empty."""
        ids = index.get(key)
        if ids is not None:
            discard_sorted(ids, comment_id)
            if not ids:
                del index[key]

    def _top_order(self, thread_key: str, sort: SortOrder, cursor: str | None) -> Iterator[int]:
        """Top-level ids of a thread in ``sort`` order, after ``cursor``."""
        if sort is SortOrder.TOP:
            scores = self._top_scores[thread_key]
            start = 0
            if cursor is not None:
                score, after = int_cursor(cursor, "t", 2)
                start = bisect.bisect_right(scores, (-score, after))
            return (scores[at][1] for at in range(start, len(scores)))
        ids = self._top_ids[thread_key]
        if sort is SortOrder.NEWEST:
            end = (
                len(ids)
                if cursor is None
                else bisect.bisect_left(ids, int_cursor(cursor, "n", 1)[0])
            )
            return descending(ids, end)
        start = 0 if cursor is None else bisect.bisect_right(ids, int_cursor(cursor, "o", 1)[0])
        return ascending(ids, start)

    @staticmethod
    def _top_cursor(sort: SortOrder, last: Comment) -> str:
        """Build the cursor continuing ``sort`` order after the top-level comment ``last``."""
        if sort is SortOrder.TOP:
            return make_cursor("t", last.score, last.id)
        return make_cursor("n" if sort is SortOrder.NEWEST else "o", last.id)

    def _walk(
        self, comment_id: int, visibility: Visibility, stack: list[int] | None = None
    ) -> Iterator[Comment]:
        """Yield visible descendants of ``comment_id`` depth first, siblings oldest first.

        Hidden comments are walked through, not yielded. ``stack`` (ids still
        to visit, next one last) resumes an earlier walk.
        """
        if stack is None:
            stack = list(reversed(self._children.get(comment_id, ())))
        while stack:
            comment = self._comments[stack.pop()]
            children = self._children.get(comment.id)
            if children:
                stack.extend(reversed(children))
            if visibility.can_see(comment):
                yield comment

    def _resume(self, comment_id: int, last_id: int, cursor: str) -> list[int]:
        """Rebuild the walk stack of ``comment_id``'s subtree just after ``last_id``."""
        path: list[Comment] = []
        node = self._comments.get(last_id)
        while node is not None and node.id != comment_id:
            path.append(node)
            node = None if node.parent_id is None else self._comments.get(node.parent_id)
        if node is None or not path:
            raise bad_cursor(cursor)
        stack: list[int] = []
        parent = comment_id
        for step in reversed(path):
            siblings = self._children[parent]
            stack.extend(reversed(siblings[bisect.bisect_right(siblings, step.id) :]))
            parent = step.id
        stack.extend(reversed(self._children.get(last_id, ())))
        return stack
