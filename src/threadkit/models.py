"""The value objects that cross every port.

Every class here is a frozen, slotted attrs class: cheap to build, safe to share
between threads, and compared by value. Timestamps are timezone-aware UTC
``datetime`` objects everywhere; a naive datetime is a bug (``utc`` checks it).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

import attrs

if TYPE_CHECKING:
    from .guards import CommentGuard, Guard, IdempotencyKey

__all__ = [
    "Action",
    "Actor",
    "Candidate",
    "Comment",
    "CommentRows",
    "DELETED_AUTHOR",
    "EventKind",
    "Identity",
    "NewComment",
    "Notice",
    "OutboxMessage",
    "Reason",
    "RequestContext",
    "SortOrder",
    "Status",
    "Submission",
    "Subscription",
    "Thread",
    "Verdict",
    "Visibility",
    "VoteCandidate",
    "utc",
]


def utc(moment: datetime) -> datetime:
    """Return ``moment`` as an aware UTC datetime; refuse naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: threadkit stores UTC-aware times only")
    return moment.astimezone(UTC)


class Status(enum.Enum):
    """Where a comment stands in moderation.

    ``APPROVED`` comments are public. ``PENDING`` and ``SPAM`` comments are seen
    only by their author and moderators. ``DELETED`` marks a placeholder that
    keeps a deleted comment's replies in place; it has no author or body.
    """

    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    DELETED = "deleted"


class SortOrder(enum.Enum):
    """Order of top-level comments (and of siblings in the tree)."""

    OLDEST = "oldest"
    NEWEST = "newest"
    TOP = "top"


class Action(enum.IntEnum):
    """A moderation step's decision; a larger value is a stronger verdict."""

    ACCEPT = 0
    HOLD = 1
    SPAM = 2
    REJECT = 3


class EventKind(enum.Enum):
    """Things that happen to a comment that notifiers may care about."""

    POSTED = "posted"
    HELD = "held"
    APPROVED = "approved"
    SPAM = "spam"
    DELETED = "deleted"


@attrs.frozen
class Identity:
    """Who wrote a comment, as an identity provider vouches for it.

    ``provider`` plus ``subject`` is the stable account key (never the email:
    two providers may both claim one address). ``email`` is private and never
    part of a public JSON shape.
    """

    provider: str
    subject: str
    name: str
    email: str | None = None
    url: str | None = None
    avatar: str | None = None
    verified: bool = False

    @property
    def key(self) -> str:
        """The account key ``"provider:subject"`` used for authorship checks."""
        return f"{self.provider}:{self.subject}"


DELETED_AUTHOR = Identity(provider="deleted", subject="", name="")
"""The author shown on a placeholder left by a deleted comment: nobody."""


@attrs.frozen
class Actor:
    """Whoever is asking the engine to do something.

    ``identity`` is ``None`` for a reader who has not identified themselves;
    ``moderator`` is decided by the host application, never by threadkit.
    """

    identity: Identity | None = None
    moderator: bool = False

    @property
    def key(self) -> str | None:
        """The identity's account key, or ``None`` for an unidentified reader."""
        return None if self.identity is None else self.identity.key


@attrs.frozen
class RequestContext:
    """What the web layer knows about the request that carried a submission."""

    ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    language: str = ""


@attrs.frozen
class Reason:
    """Why a moderation step decided what it did, kept on the comment."""

    step: str
    code: str
    message: str


@attrs.frozen
class Verdict:
    """A moderation step's answer: an action and the reasons for it.

    ``retry_after`` (seconds) is set by steps such as flood control whose
    rejection passes with time. ``guards`` (see :mod:`threadkit.guards`) are
    conditions the store re-checks atomically with the write, so a check
    that asked the store's history still holds when requests race.
    """

    action: Action = Action.ACCEPT
    reasons: tuple[Reason, ...] = ()
    retry_after: float | None = None
    guards: tuple[Guard, ...] = ()

    @classmethod
    def accept(cls) -> Verdict:
        """Let the comment through."""
        return cls(Action.ACCEPT)

    @classmethod
    def hold(cls, step: str, code: str, message: str) -> Verdict:
        """Keep the comment for a moderator's review."""
        return cls(Action.HOLD, (Reason(step, code, message),))

    @classmethod
    def spam(cls, step: str, code: str, message: str) -> Verdict:
        """Store the comment as spam, hidden from everyone but moderators."""
        return cls(Action.SPAM, (Reason(step, code, message),))

    @classmethod
    def reject(
        cls, step: str, code: str, message: str, *, retry_after: float | None = None
    ) -> Verdict:
        """Refuse the comment outright; nothing is stored."""
        return cls(Action.REJECT, (Reason(step, code, message),), retry_after)

    def combine(self, other: Verdict) -> Verdict:
        """Merge two verdicts: the stronger action wins and every reason is kept."""
        retry = [r for r in (self.retry_after, other.retry_after) if r is not None]
        return Verdict(
            max(self.action, other.action),
            self.reasons + other.reasons,
            max(retry) if retry else None,
            self.guards + other.guards,
        )


@attrs.frozen
class Thread:
    """A comment thread, usually one page or post of the host site.

    ``comment_count`` is the number of approved comments and
    ``top_level_count`` the number of approved top-level comments; stores keep
    both in step with every write so reading a count never scans.
    ``version`` goes up with every write that changes what a page of the
    thread shows (a post, edit, delete, moderation, vote, close or reopen,
    erasure), in the same transaction as the write: caches of encoded pages
    are keyed by it (:mod:`threadkit.cache`).
    """

    key: str
    created_at: datetime
    title: str = ""
    url: str = ""
    closed: bool = False
    comment_count: int = 0
    top_level_count: int = 0
    version: int = 0


@attrs.frozen
class Comment:
    """One stored comment.

    ``parent_id`` is the comment it answers (``None`` at top level); ``root_id``
    is its top-level ancestor (itself at top level) and ``depth`` its nesting
    level (0 at top level). ``reply_count`` counts direct replies that are
    approved or deleted placeholders. ``context`` is private request data kept
    for spam feedback and is never part of a public JSON shape.
    """

    id: int
    thread_key: str
    parent_id: int | None
    root_id: int
    depth: int
    author: Identity
    body_source: str
    body_html: str
    status: Status
    created_at: datetime
    edited_at: datetime | None = None
    upvotes: int = 0
    downvotes: int = 0
    reply_count: int = 0
    reasons: tuple[Reason, ...] = ()
    context: RequestContext = RequestContext()
    notify_replies: bool = False

    @property
    def score(self) -> int:
        """Upvotes minus downvotes."""
        return self.upvotes - self.downvotes


@attrs.frozen
class Submission:
    """What a reader typed into the comment form.

    ``honeypot`` is the value of a field humans never see; bots fill it in.
    ``notify_thread`` asks for an email about every new comment on the thread
    (a :class:`Subscription`; it needs the author's email address).
    """

    body: str
    parent_id: int | None = None
    honeypot: str = ""
    notify_replies: bool = False
    notify_thread: bool = False


@attrs.frozen
class NewComment:
    """A comment the engine has checked and rendered, ready for the store.

    The store assigns ``id``, ``root_id`` and ``depth`` from ``parent_id``.
    ``guards`` are conditions the store re-checks in the transaction that
    adds the comment (see :mod:`threadkit.guards`); ``idempotency`` is the
    client's key, stored with the comment so a replay gets it back.
    ``notify_thread`` subscribes the author to the thread, in the same
    transaction (see :func:`threadkit.subscriptions.subscription_for`).
    """

    thread_key: str
    parent_id: int | None
    author: Identity
    body_source: str
    body_html: str
    status: Status
    created_at: datetime
    reasons: tuple[Reason, ...] = ()
    context: RequestContext = RequestContext()
    notify_replies: bool = False
    guards: tuple[CommentGuard, ...] = ()
    idempotency: IdempotencyKey | None = None
    notify_thread: bool = False


@attrs.frozen
class Subscription:
    """One address asking for an email about every new comment on one thread.

    ``email`` is lower-cased (one subscription per address and thread);
    ``name`` and ``language`` (an ``Accept-Language`` value) are what the
    author gave when subscribing, for the email's greeting and language.
    ``id`` is set by the store (0 before). ``comment_id`` is the comment that
    made (or last renewed) it; ``confirmed`` is false while an address nobody
    vouched for waits for its owner to confirm (double opt-in).
    """

    thread_key: str
    email: str
    author_key: str
    created_at: datetime
    name: str = ""
    language: str = ""
    id: int = 0
    comment_id: int = 0
    confirmed: bool = True


@attrs.frozen
class Visibility:
    """Which comments a reader may see besides approved ones and placeholders.

    A reader sees their own pending and spam comments (``viewer_key``); a
    moderator also sees everyone's pending comments.
    """

    viewer_key: str | None = None
    moderator: bool = False

    SEEN_BY_ALL: ClassVar[frozenset[Status]] = frozenset({Status.APPROVED, Status.DELETED})
    """The statuses every reader sees (approved comments and deleted placeholders)."""

    def can_see(self, comment: Comment) -> bool:
        """Whether this reader may see ``comment``."""
        if comment.status in self.SEEN_BY_ALL:
            return True
        if self.viewer_key is not None and comment.author.key == self.viewer_key:
            return True
        return self.moderator and comment.status is Status.PENDING


@attrs.frozen
class CommentRows:
    """A batch of comments from a store query and the cursor for the next batch.

    ``cut_cursor`` is set only by :meth:`~threadkit.ports.PageReader.page`,
    and only when it may offer one: a page whose first top-level comment was
    cut at ``total_limit`` after at least one reply may carry a
    :meth:`~threadkit.ports.PageReader.subtree` cursor of that comment that
    continues right after the page's last row (the engine reads only those
    rows to count "N more replies"). ``None`` means "not offered".
    """

    comments: list[Comment]
    next_cursor: str | None = None
    cut_cursor: str | None = None


@attrs.frozen
class Notice:
    """A notification to queue in the store's outbox with a write.

    ``channel`` names the notifier that will deliver it.
    """

    channel: str
    kind: EventKind


@attrs.frozen
class OutboxMessage:
    """A queued notification, delivered at least once by the outbox worker."""

    id: int
    channel: str
    kind: EventKind
    comment_id: int
    thread_key: str
    created_at: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""


@attrs.frozen
class Candidate:
    """What a moderation step looks at: a comment about to be stored (or re-checked).

    ``comment_id`` is set when an existing comment is re-checked (after an edit,
    or when a spam service recovers); it is ``None`` for a new post.
    ``moderator`` is true when a moderator is the one posting.
    """

    thread: Thread
    author: Identity
    body: str
    context: RequestContext
    now: datetime
    parent: Comment | None = None
    honeypot: str = ""
    comment_id: int | None = None
    moderator: bool = False


@attrs.frozen
class VoteCandidate:
    """What a vote step looks at: a vote about to be stored.

    ``comment`` is the comment voted on, ``value`` the new vote (1, -1, or 0
    to withdraw), ``context`` the request that carried it.
    """

    comment: Comment
    voter: Identity
    value: int
    context: RequestContext
    now: datetime
    moderator: bool = False
