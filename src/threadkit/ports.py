"""The interfaces (ports) that adapters implement and the engine calls.

Each port is a :class:`typing.Protocol`: implement the methods, no base class
needed. Every docstring states the contract and shows a short implementation.
``threadkit.testing`` holds the conformance suites that prove an implementation
keeps the contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

import attrs

from .bans import Ban, CommentSearch
from .guards import IdempotencyKey, VoteGuard
from .identity_ports import (
    AuthorizationRequest,
    FormIdentityProvider,
    IdentityProvider,
    RedirectIdentityProvider,
    SessionIdentityProvider,
)
from .models import (
    Candidate,
    Comment,
    CommentRows,
    EventKind,
    NewComment,
    Notice,
    OutboxMessage,
    SortOrder,
    Status,
    Thread,
    Verdict,
    Visibility,
    VoteCandidate,
)
from .subscriptions import SubscriptionStore

__all__ = [
    "AdminStore",
    "AuthorizationRequest",
    "Clock",
    "CommentStore",
    "ThreadLookup",
    "ThreadStore",
    "CommentLookup",
    "CommentWriter",
    "PageReader",
    "SubtreeFamily",
    "ModerationQueue",
    "CommentLists",
    "ModerationHistory",
    "VoteStore",
    "OutboxStore",
    "FormIdentityProvider",
    "IdentityProvider",
    "LearningStep",
    "ModerationStep",
    "Notifier",
    "RedirectIdentityProvider",
    "Renderer",
    "SessionIdentityProvider",
    "SiteStore",
    "StoredVote",
    "SubscriptionStore",
    "VoteStep",
]


@runtime_checkable
class Clock(Protocol):
    """Tells the time. The engine never calls ``datetime.now`` itself.

    Contract: ``now()`` returns an aware UTC datetime that never goes backwards
    within one process. Example::

        class FixedClock:
            def __init__(self, moment: datetime) -> None:
                self.moment = moment

            def now(self) -> datetime:
                return self.moment
    """

    def now(self) -> datetime:
        """Return the current time, aware, in UTC."""
        ...


@runtime_checkable
class Renderer(Protocol):
    """Turns a comment's source text into safe HTML, once, when it is written.

    Contract: the output must be safe to insert into a page as is: no script,
    no event handler, no ``javascript:`` URL survives, whatever the input.
    Example::

        class PlainTextRenderer:
            def render(self, source: str) -> str:
                return "<p>" + html.escape(source) + "</p>"
    """

    def render(self, source: str) -> str:
        """Return sanitized HTML for ``source``."""
        ...


@runtime_checkable
class ModerationStep(Protocol):
    """One check in the moderation pipeline.

    Contract: ``check`` looks at a candidate and returns a :class:`Verdict`;
    it must not modify anything. ``name`` appears in every reason the step
    gives. A step that needs history (flood control, duplicates) asks the
    store it was built with, never process memory, so it holds across workers.
    Example::

        class NoShouting:
            name = "no-shouting"

            def check(self, candidate: Candidate) -> Verdict:
                if candidate.body.isupper():
                    return Verdict.hold(self.name, "shouting", "All capitals.")
                return Verdict.accept()
    """

    name: str

    def check(self, candidate: Candidate) -> Verdict:
        """Judge ``candidate``."""
        ...


@runtime_checkable
class VoteStep(Protocol):
    """One check on a vote before it is stored (e.g. a cap per network address).

    Contract: ``check`` returns a :class:`Verdict`: reject (with
    ``retry_after`` for a limit that passes with time) or accept, optionally
    with :data:`threadkit.guards.VoteGuard` guards the store enforces
    atomically with the vote. It must not modify anything. Example::

        class NoDownvotes:
            name = "no-downvotes"

            def check(self, vote: VoteCandidate) -> Verdict:
                if vote.value == -1:
                    return Verdict.reject(self.name, "no_downvotes", "Only upvotes here.")
                return Verdict.accept()
    """

    name: str

    def check(self, vote: VoteCandidate) -> Verdict:
        """Judge ``vote``."""
        ...


@runtime_checkable
class LearningStep(ModerationStep, Protocol):
    """A moderation step that learns from moderators' decisions.

    Contract: ``learn`` is called after a moderator marks a comment as spam
    (``is_spam=True``) or as not spam; it may do IO and must not raise for a
    transient failure (log and move on). Example::

        class SpamWords:
            name = "spam-words"

            def __init__(self) -> None:
                self.words: set[str] = set()

            def check(self, candidate: Candidate) -> Verdict:
                hit = self.words & set(candidate.body.lower().split())
                return Verdict.spam(self.name, "word", "Learned word.") if hit else Verdict.accept()

            def learn(self, comment: Comment, is_spam: bool) -> None:
                if is_spam:
                    self.words.update(comment.body_source.lower().split())
    """

    def learn(self, comment: Comment, is_spam: bool) -> None:
        """Take a moderator's spam / not-spam decision on ``comment`` into account."""
        ...


@runtime_checkable
class Notifier(Protocol):
    """Delivers one kind of notification (email, webhook, ...) from the outbox.

    Contract: ``channel`` is a stable name stored with queued messages.
    ``wants`` says, at write time, whether an event is worth queueing.
    ``deliver`` sends one message and raises on failure; the outbox worker then
    retries with backoff, so ``deliver`` must tolerate being called again for a
    message it already delivered (at-least-once). Example::

        class PrintNotifier:
            channel = "print"

            def wants(self, kind: EventKind, comment: Comment) -> bool:
                return kind is EventKind.HELD

            def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
                print("held for review:", message.comment_id)
    """

    channel: str

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        """Whether an event of ``kind`` about ``comment`` should be queued."""
        ...

    def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
        """Send ``message``; ``comment`` is ``None`` if it has since been erased."""
        ...


@runtime_checkable
class ThreadLookup(Protocol):
    """Find a thread by key: what notifiers and spam checks need of a store.

    Example::

        class OneThread:
            def get_thread(self, key: str) -> Thread | None:
                return Thread(key, datetime.now(UTC)) if key == "post-1" else None
    """

    def get_thread(self, key: str) -> Thread | None:
        """Return the thread ``key``, or ``None``."""
        ...


@runtime_checkable
class ThreadStore(ThreadLookup, Protocol):
    """Threads: created on first use, opened or closed, counted.

    Contract: ``Thread.comment_count`` counts approved comments and
    ``Thread.top_level_count`` approved top-level ones, kept in step with every
    write. Example::

        class DictThreads:
            def ensure_thread(self, key, *, title="", url="", now) -> Thread:
                return self.threads.setdefault(key, Thread(key, now, title, url))
            ...
    """

    def ensure_thread(self, key: str, *, title: str = "", url: str = "", now: datetime) -> Thread:
        """Return the thread ``key``, creating it (open, no comments) if it is new.

        An existing thread keeps its title and url unless it had none.
        """
        ...

    def set_thread_closed(self, key: str, closed: bool) -> Thread:
        """Open or close a thread; raise ``NotFoundError`` if it does not exist."""
        ...

    def counts(self, keys: Sequence[str]) -> dict[str, int]:
        """Approved-comment counts for many threads at once; unknown keys count 0."""
        ...


@runtime_checkable
class CommentLookup(Protocol):
    """Find one comment by id, whatever its status.

    Example::

        class DictComments:
            def get_comment(self, comment_id: int) -> Comment | None:
                return self.comments.get(comment_id)
    """

    def get_comment(self, comment_id: int) -> Comment | None:
        """Return one comment in any status, or ``None``."""
        ...


@runtime_checkable
class CommentWriter(CommentLookup, Protocol):
    """Writing comments: post, replay an idempotent post, edit, remove.

    Contract: each write is one transaction: the comment row, its thread's
    counters, its parent's ``reply_count`` (approved replies and deleted
    placeholders) and any outbox messages change together or not at all, and
    parallel writers lose nothing. Strings round-trip unchanged; ids are
    positive and grow with creation order. Example::

        class DictComments:
            def child_count(self, comment_id: int) -> int:
                return sum(c.parent_id == comment_id for c in self.comments.values())
            ...
    """

    def add_comment(self, draft: NewComment, notices: Sequence[Notice] = ()) -> Comment:
        """Store a new comment and queue ``notices`` about it, in one transaction.

        The store assigns ``id``, ``root_id`` and ``depth`` from the parent,
        updates the counters, and raises ``InvalidParentError`` if the parent
        does not exist or lies in another thread, ``NotFoundError`` if the
        thread does not exist.

        Races: the same transaction re-checks every guard in ``draft.guards``
        (:mod:`threadkit.guards`) under a lock every competing write waits
        for, and raises the guard's error (nothing stored) if one trips:
        ``OpenThread`` (the thread is closed) and ``NoDuplicate`` under the
        thread's lock, which ``set_thread_closed`` takes too, ``MinInterval``
        under a lock named by ``guard.lock_name``. With ``draft.idempotency`` set, a live
        key already stored returns the comment it made (nothing new, no
        notices) if its ``fingerprint`` matches, and raises
        ``key.reused()`` if not; otherwise the key is stored with the new
        comment (one key, one comment, whatever runs in parallel).
        """
        ...

    def find_idempotent(self, key: IdempotencyKey, *, now: datetime) -> Comment | None:
        """Return the comment a live (unexpired at ``now``) ``key`` made, or ``None``.

        Raises ``key.reused()`` if the key was stored with another
        ``fingerprint``, and ``key.gone()`` if its comment has been removed.
        """
        ...

    def update_comment(
        self, comment: Comment, notices: Sequence[Notice] = (), *, now: datetime
    ) -> Comment:
        """Write the mutable fields of ``comment`` and queue ``notices``, in one transaction.

        The mutable fields are :data:`threadkit.storekit.EDITABLE` (the
        author, both bodies, status, ``edited_at``, reasons, ``context``,
        which erasure scrubs, and ``notify_replies``); every other field of
        ``comment`` (votes, counters, ids) is ignored. Counters follow the
        change of status. Raises ``NotFoundError`` for an unknown id.
        """
        ...

    def remove_comment(self, comment_id: int) -> None:
        """Delete a comment that has no replies (of any status) for good.

        Raises ``ConflictError`` if it still has replies, ``NotFoundError`` if
        it does not exist. Counters and the comment's votes go with it.
        """
        ...

    def child_count(self, comment_id: int) -> int:
        """How many direct replies ``comment_id`` has, in any status."""
        ...


@runtime_checkable
class PageReader(Protocol):
    """Reading a thread a page at a time, and the replies below one comment.

    Contract: cursors are opaque strings the store makes; one is only ever
    passed back to the query that made it. A page costs what the page holds,
    not what the thread holds. Example::

        class ListPages:
            def subtree(self, comment_id, *, visibility, cursor=None, total_limit):
                rows = [c for c in self.below(comment_id) if visibility.can_see(c)]
                return CommentRows(rows[:total_limit])
            ...
    """

    def page(
        self,
        thread_key: str,
        *,
        sort: SortOrder,
        visibility: Visibility,
        cursor: str | None = None,
        top_limit: int,
        total_limit: int,
    ) -> CommentRows:
        """Return one page of a thread.

        The page holds the next ``top_limit`` top-level comments in ``sort``
        order (oldest: id ascending; newest: id descending; top: score
        descending, then id ascending), each followed by its visible
        descendants in pre-order depth-first order with siblings oldest first
        (the order of a materialized path; below a store's depth cap, creation
        order), at most ``total_limit`` comments in all. A top-level comment
        comes only with all its visible descendants, except the first, which
        is cut at ``total_limit`` (fetch the rest with :meth:`subtree`). A
        hidden comment's visible descendants are still returned. A top-level
        comment this reader may not see is listed (with its visible
        descendants) only when it has some, so their place is kept (the engine
        shows it as a placeholder); otherwise it is skipped.

        ``next_cursor`` continues after the last top-level comment returned,
        or is ``None`` when there are no more. When the first top-level
        comment was cut after at least one reply, ``cut_cursor`` may hold a
        :meth:`subtree` cursor of it that continues after the page's last row
        (optional: without it the engine reads the page's rows again). Cost
        must depend on the page, not on the thread's size or position of the
        page.
        """
        ...

    def subtree(
        self,
        comment_id: int,
        *,
        visibility: Visibility,
        cursor: str | None = None,
        total_limit: int,
    ) -> CommentRows:
        """Return visible descendants of ``comment_id``, not the comment itself.

        Same order as :meth:`page` (depth-first, siblings oldest first,
        parents before children), at most ``total_limit``, and fewer only
        where the subtree ends; ``next_cursor`` continues. An unknown id gives
        no rows.
        """
        ...


@runtime_checkable
class SubtreeFamily(Protocol):
    """Optional for a :class:`PageReader`: the shape of a subtree batch, without its comments.

    Contract: ``subtree_family`` answers ``(id, depth, parent_id)`` of exactly
    the rows :meth:`PageReader.subtree` answers for the same arguments, in the
    same order, and builds no comments; the engine counts a cut page's "N more
    replies" links with it (parent ids tell which link reaches a reply whose
    parent the reader may not see). It asks for a few rows first and for
    the whole batch only when those do not settle the counts, so a smaller
    ``total_limit`` must answer the first rows of a larger one (as the order
    ``subtree`` promises), and fewer rows than asked only where the subtree
    ends. A store without it gets ``subtree`` instead. The
    engine looks it up on the store's class, so a proxy that wraps
    ``subtree`` and forwards the rest still has its ``subtree`` called.
    Example::

        class ListPages:
            def subtree_family(self, comment_id, *, visibility, cursor=None, total_limit):
                rows = self.subtree(
                    comment_id, visibility=visibility, cursor=cursor, total_limit=total_limit
                )
                return [(c.id, c.depth, c.parent_id) for c in rows.comments]
    """

    def subtree_family(
        self,
        comment_id: int,
        *,
        visibility: Visibility,
        cursor: str | None = None,
        total_limit: int,
    ) -> list[tuple[int, int, int | None]]:
        """Return ``(id, depth, parent_id)`` of the rows :meth:`PageReader.subtree` returns."""
        ...


@runtime_checkable
class ModerationQueue(Protocol):
    """The comments a moderator has to look at, newest first.

    Example::

        class ListQueue:
            def moderation_queue(self, statuses, *, limit, cursor=None) -> CommentRows:
                held = [c for c in reversed(self.rows) if c.status in statuses]
                return CommentRows(held[:limit])
    """

    def moderation_queue(
        self, statuses: Sequence[Status], *, limit: int, cursor: str | None = None
    ) -> CommentRows:
        """Comments in ``statuses``, newest first, for the moderation queue."""
        ...


@runtime_checkable
class CommentLists(ModerationQueue, Protocol):
    """Lists across threads: the newest comments, the queue, one author's comments.

    Example::

        class ListComments(ListQueue):
            def comments_by_author(self, author_key: str) -> list[Comment]:
                return [c for c in self.rows if c.author.key == author_key]
            ...
    """

    def recent(self, limit: int, thread_key: str | None = None) -> list[Comment]:
        """Return the newest approved comments, newest first, optionally of one thread."""
        ...

    def comments_by_author(self, author_key: str) -> list[Comment]:
        """Every comment whose ``author.key`` is ``author_key``, oldest first."""
        ...


@runtime_checkable
class ModerationHistory(Protocol):
    """What flood control, duplicate detection and first-time approval need to know.

    Every :class:`CommentStore` has these three methods, so pass your store;
    the narrow type only lets a test hand in a three-method fake. The answers
    come from the store, never from process memory, so the steps hold across
    every worker and machine that shares it. Example::

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


@runtime_checkable
class VoteStore(Protocol):
    """Votes: one per voter and comment, tallied on the comment in the same transaction.

    Example::

        class DictVotes:
            def votes_by(self, voter_key: str) -> dict[int, int]:
                return {cid: v for (cid, voter), v in self.votes.items() if voter == voter_key}
            ...
    """

    def vote(
        self,
        comment_id: int,
        voter_key: str,
        value: Literal[-1, 0, 1],
        *,
        ip: str = "",
        at: datetime | None = None,
        guards: Sequence[VoteGuard] = (),
    ) -> Comment:
        """Set ``voter_key``'s vote on a comment (0 withdraws it); one vote per voter.

        Returns the comment with updated ``upvotes`` / ``downvotes``; raises
        ``NotFoundError`` for an unknown comment and ``ValidationError`` for a
        value other than -1, 0 or 1 (:func:`threadkit.storekit.check_vote_call`
        checks the arguments; :func:`threadkit.storekit.vote_delta` is the
        tally). A new vote is stored with the voter's ``ip`` and its time ``at``; before a
        *new* vote (none standing from this voter) the same transaction
        counts, under the lock ``guard.lock_name``, the standing votes from
        ``guard.ip`` cast after ``guard.since(at)`` on the comment or
        its thread, and raises ``guard.error(times, at)`` if one trips.
        """
        ...

    def votes_by(self, voter_key: str) -> dict[int, int]:
        """Every vote this voter cast, as ``{comment_id: +1 or -1}``."""
        ...

    def erase_votes(self, voter_key: str) -> int:
        """Withdraw every vote this voter cast; return how many there were."""
        ...


@runtime_checkable
class OutboxStore(CommentLookup, Protocol):
    """The notification outbox: what :class:`threadkit.outbox.OutboxWorker` uses.

    Contract: messages are queued by the write they are about (see
    :meth:`CommentWriter.add_comment`); delivery is at least once, so
    completing or retrying an unknown id is ignored. Example::

        class ListOutbox:
            def complete_outbox(self, message_id: int) -> None:
                self.messages.pop(message_id, None)
            ...
    """

    def claim_outbox(
        self, *, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Take up to ``limit`` messages due at ``now`` for delivery.

        Claimed messages are hidden from other claimers for ``lease_seconds``
        (so a worker that dies lets them come back). Each claim adds one to
        ``attempts``.
        """
        ...

    def complete_outbox(self, message_id: int) -> None:
        """Forget a delivered message."""
        ...

    def retry_outbox(self, message_id: int, *, next_attempt_at: datetime, error: str) -> None:
        """Put a failed message back, due again at ``next_attempt_at``."""
        ...


@runtime_checkable
class CommentStore(
    ThreadStore,
    CommentWriter,
    PageReader,
    CommentLists,
    ModerationHistory,
    VoteStore,
    OutboxStore,
    Protocol,
):
    """Where threads, comments, votes and the notification outbox live: every slice above.

    Contract, for every method of every slice:

    * Each write is one transaction: the comment row, its thread's counters,
      its parent's ``reply_count`` and any outbox messages change together or
      not at all. Parallel writers lose nothing.
    * ``Thread.comment_count`` counts approved comments and
      ``Thread.top_level_count`` approved top-level ones; ``Comment.reply_count``
      counts direct replies that are approved or deleted placeholders.
    * Strings round-trip unchanged (4-byte emoji, ZWJ sequences, RTL text).
    * Ids are positive integers that grow with creation order.
    * A store that cannot be reached raises
      :class:`threadkit.errors.StorageUnavailableError`.
    * Cursors are opaque strings made by the store; a cursor from one query is
      only ever passed back to the same query.

    Code that needs only a part takes the slice (:class:`ThreadLookup`,
    :class:`ThreadStore`, :class:`CommentLookup`, :class:`CommentWriter`,
    :class:`PageReader`, :class:`ModerationQueue`, :class:`CommentLists`,
    :class:`ModerationHistory`, :class:`VoteStore`, :class:`OutboxStore`), so
    a test can hand it a small fake. ``threadkit.testing.CommentStoreSuite``
    checks all of this. A minimal implementation starts like this (see
    ``threadkit.memory.MemoryStore`` for a complete one)::

        class DictStore:
            def __init__(self) -> None:
                self.threads: dict[str, Thread] = {}

            def ensure_thread(self, key, *, title="", url="", now) -> Thread:
                return self.threads.setdefault(key, Thread(key, now, title, url))

            def get_thread(self, key: str) -> Thread | None:
                return self.threads.get(key)
            ...
    """


@attrs.frozen
class StoredVote:
    """One standing vote as a store keeps it: who, on what, which way, from where, when.

    ``ip`` is ``""`` and ``at`` ``None`` when the vote was cast without them.
    """

    comment_id: int
    voter_key: str
    value: int
    ip: str = ""
    at: datetime | None = None


@runtime_checkable
class SiteStore(CommentStore, Protocol):
    """A :class:`CommentStore` that can be read and written whole (site export/import).

    Contract: the iterators read in batches (memory does not grow with the
    site); ``bulk_load`` writes one thread in one transaction and keeps each
    row's status, vote tallies, author, context and times; ``load_votes``
    stores vote rows *without* touching the tallies (they came with the
    comments). Example (over a dict-backed store)::

        class DictSiteStore(DictStore):
            def iter_threads(self, *, batch_size: int = 1000) -> Iterator[Thread]:
                yield from list(self.threads.values())

            def load_votes(self, votes: Iterable[StoredVote]) -> int:
                rows = list(votes)
                self.votes.extend(rows)
                return len(rows)
            ...
    """

    def iter_threads(self, *, batch_size: int = 1000) -> Iterator[Thread]:
        """Yield every thread, in a stable order of the store's choosing."""
        ...

    def iter_thread(self, thread_key: str, *, batch_size: int = 5000) -> Iterator[Comment]:
        """Yield every comment of a thread, any status, depth first, siblings oldest first."""
        ...

    def iter_votes(self, thread_key: str, *, batch_size: int = 5000) -> Iterator[StoredVote]:
        """Yield every standing vote on the comments of one thread (order unspecified)."""
        ...

    def bulk_load(
        self, thread_key: str, rows: Iterable[Comment], *, batch_size: int = 5000
    ) -> dict[int, int]:
        """Add many comments (a parent before its replies) to one thread; ``{old id: new id}``."""
        ...

    def load_votes(self, votes: Iterable[StoredVote]) -> int:
        """Store vote rows as they are (tallies unchanged); return how many."""
        ...

    def comments_by_email(self, email: str) -> list[Comment]:
        """Every comment whose author email is ``email`` (ignoring case), oldest first.

        For personal-data requests: it may scan every comment.
        """
        ...


@runtime_checkable
class AdminStore(Protocol):
    """What the moderation admin keeps besides comments: bans, searches, site settings.

    Contract: ``add_ban`` stores a :class:`~threadkit.bans.Ban` and returns it
    with a new positive ``id``; ``active_bans(now)`` returns every ban still in
    force at ``now`` (``until`` unset or later), the newest first; ``lift_ban``
    removes one for good (``NotFoundError`` if unknown). ``search_comments``
    returns the comments a :class:`~threadkit.bans.CommentSearch` matches,
    newest first, ``limit`` at a time with a keyset ``next_cursor``.
    ``site_settings`` returns the string map last saved for a site (empty if
    none); ``save_site_settings`` replaces it whole. Example::

        class DictAdmin:
            def add_ban(self, ban: Ban) -> Ban:
                kept = attrs.evolve(ban, id=len(self.bans) + 1)
                self.bans.append(kept)
                return kept

            def active_bans(self, now: datetime) -> list[Ban]:
                return [b for b in reversed(self.bans) if b.active(now)]
            ...
    """

    def add_ban(self, ban: Ban) -> Ban:
        """Store ``ban``; return it with its new ``id``."""
        ...

    def lift_ban(self, ban_id: int) -> None:
        """Remove a ban for good; raise ``NotFoundError`` if there is none with this id."""
        ...

    def active_bans(self, now: datetime) -> list[Ban]:
        """Every ban in force at ``now``, newest first."""
        ...

    def search_comments(
        self, search: CommentSearch, *, limit: int, cursor: str | None = None
    ) -> CommentRows:
        """Comments ``search`` matches, in any thread, newest first; ``next_cursor`` continues."""
        ...

    def site_settings(self, site: str) -> dict[str, str]:
        """Return the settings last saved for ``site`` (a site id), or ``{}``."""
        ...

    def save_site_settings(self, site: str, settings: Mapping[str, str]) -> None:
        """Replace the settings of ``site`` with ``settings``."""
        ...
