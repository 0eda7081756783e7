"""The engine: the one entry point adapters call to read and write comments.

It owns the rules (who may do what, to which comment, when) and delegates
storage to a :class:`~threadkit.ports.CommentStore`, judgement to a
:class:`~threadkit.moderation.Pipeline` and HTML to a
:class:`~threadkit.ports.Renderer`.

>>> from threadkit import Identity, Submission
>>> from threadkit.engine import CommentEngine
>>> from threadkit.memory import MemoryStore
>>> engine = CommentEngine(MemoryStore())
>>> ada = Identity("anonymous", "b1", "Ada")
>>> first = engine.post("post-1", Submission("Hello *world*"), ada)
>>> reply = engine.post("post-1", Submission("Thanks Ada", parent_id=first.id), ada)
>>> [node.comment.id for node in engine.page("post-1").nodes] == [first.id]
True
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

import attrs

from . import _rules
from . import subscriptions as _subscriptions
from ._hidden import mask_hidden, placeholder_of
from ._more import count_cut_links
from .clock import SystemClock
from .errors import (
    AuthenticationRequiredError,
    ConflictError,
    InvalidParentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RejectedError,
    ThreadClosedError,
    ValidationError,
)
from .guards import CommentGuard, IdempotencyKey, MinInterval, NoDuplicate, OpenThread, VoteQuota
from .limits import COMMENT_MAX_BYTES
from .models import (
    Action,
    Actor,
    Candidate,
    Comment,
    CommentRows,
    EventKind,
    Identity,
    NewComment,
    Notice,
    RequestContext,
    SortOrder,
    Status,
    Submission,
    Thread,
    Verdict,
    VoteCandidate,
)
from .moderation import Pipeline
from .moderation.history import reading_together
from .moderation.votes import VoteLimit
from .pages import SubtreePage, ThreadPage
from .ports import Clock, CommentStore, Notifier, Renderer, SiteStore, VoteStep
from .subscriptions import Subscription, check_subscription, forget_subscriptions, subscriptions_of
from .tree import Overflow, build_tree, display_depth, walk

_log = logging.getLogger(__name__)

__all__ = ["CommentEngine", "Decision", "EnginePolicy", "PersonalData"]

_EVENT_FOR_NEW = {
    Status.APPROVED: EventKind.POSTED,
    Status.PENDING: EventKind.HELD,
    Status.SPAM: EventKind.SPAM,
}
"""The event a new comment makes, by the status it is stored with."""

_COMMENT_GUARDS = (NoDuplicate, MinInterval)
"""The guards a new comment's store re-checks (a tuple: isinstance() on a union is slower)."""
_OPEN_THREAD = OpenThread()
"""On every post but a moderator's: the thread may have been closed since it was read."""


class Decision(enum.Enum):
    """What a moderator decides about a comment."""

    APPROVE = "approve"
    SPAM = "spam"
    HAM = "ham"  # "not spam": approve, and tell learning steps they were wrong
    DELETE = "delete"


@attrs.frozen
class EnginePolicy:
    """The engine's configurable rules, with the defaults most blogs want.

    ``max_display_depth`` is how deep replies nest on screen (``None``: no
    limit); replies deeper than that follow ``overflow``. Page limits are
    clamped to ``max_top_limit`` / ``max_total_limit`` whatever a caller asks.
    ``idempotency_ttl`` is how long a post's idempotency key is remembered.
    """

    edit_window: timedelta = timedelta(minutes=15)
    default_sort: SortOrder = SortOrder.OLDEST
    top_limit: int = 20
    total_limit: int = 500
    max_top_limit: int = 200
    max_total_limit: int = 2000
    max_display_depth: int | None = 5
    overflow: Overflow = Overflow.FLATTEN
    max_thread_key_length: int = 200
    max_body_bytes: int = COMMENT_MAX_BYTES
    max_counts_keys: int = 1000
    max_recent: int = 100
    idempotency_ttl: timedelta = timedelta(hours=24)


@attrs.frozen
class PersonalData:
    """Everything stored about one identity (for export requests)."""

    identity_key: str
    comments: list[Comment]
    votes: dict[int, int]
    subscriptions: list[Subscription] = attrs.Factory(list)


class CommentEngine:
    """Post, read, edit, delete, moderate and vote on comments.

    ``store`` holds the data; ``pipeline`` judges new comments (default: no
    checks — pass :func:`threadkit.moderation.default_pipeline` for the
    built-in ones); ``renderer`` turns Markdown into safe HTML (default:
    :class:`threadkit.render.MarkdownRenderer`); ``notifiers`` get events
    through the store's outbox; ``policy`` holds the tunable rules.
    ``vote_steps`` judge votes (default: ``[VoteLimit()]``, a cap per
    network address; pass ``[]`` to turn it off).
    """

    def __init__(
        self,
        store: CommentStore,
        *,
        pipeline: Pipeline | None = None,
        renderer: Renderer | None = None,
        clock: Clock | None = None,
        notifiers: Sequence[Notifier] = (),
        policy: EnginePolicy | None = None,
        vote_steps: Sequence[VoteStep] | None = None,
    ) -> None:
        if renderer is None:
            from .render import MarkdownRenderer

            renderer = MarkdownRenderer()
        self.store = store
        self.pipeline = pipeline if pipeline is not None else Pipeline()
        self.renderer = renderer
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.notifiers: tuple[Notifier, ...] = tuple(notifiers)
        self.policy = policy if policy is not None else EnginePolicy()
        self.vote_steps: tuple[VoteStep, ...] = (
            (VoteLimit(),) if vote_steps is None else tuple(vote_steps)
        )

    # ------------------------------------------------------------------ threads

    def thread(self, key: str, *, title: str = "", url: str = "") -> Thread:
        """Return the thread ``key``, creating it if new."""
        _rules.check_thread_key(key, max_length=self.policy.max_thread_key_length)
        return self.store.ensure_thread(key, title=title, url=url, now=self.clock.now())

    def get_thread(self, key: str) -> Thread:
        """Return the thread ``key``; ``NotFoundError`` if it does not exist."""
        _rules.check_thread_key(key, max_length=self.policy.max_thread_key_length)
        thread = self.store.get_thread(key)
        if thread is None:
            raise NotFoundError("thread_not_found", f"There is no thread {key!r}.", field="thread")
        return thread

    def close_thread(self, key: str, actor: Actor, *, closed: bool = True) -> Thread:
        """Close (or reopen) a thread; moderators only."""
        _rules.require_moderator(actor)
        self.get_thread(key)
        return self.store.set_thread_closed(key, closed)

    # ------------------------------------------------------------------ writing

    def post(
        self,
        thread_key: str,
        submission: Submission,
        author: Identity,
        context: RequestContext = RequestContext(),
        *,
        moderator: bool = False,
        title: str = "",
        url: str = "",
        idempotency_key: str | None = None,
    ) -> Comment:
        """Post a comment (a reply when ``submission.parent_id`` is set).

        Creates the thread on its first comment. Returns the stored comment,
        whose status says whether it was published, held or taken as spam.
        Raises ``ThreadClosedError``, ``InvalidParentError``,
        ``ValidationError``, ``RejectedError`` or ``RateLimitedError``.

        ``idempotency_key`` (a client's random token) makes a retry safe: the
        same author posting again with the same key within
        ``policy.idempotency_ttl`` gets the first comment back, never a
        second one; the same key with a different comment is a
        ``ValidationError`` (``idempotency_key_reused``).
        """
        policy = self.policy
        _rules.check_thread_key(thread_key, max_length=policy.max_thread_key_length)
        body = _rules.check_body(submission.body, max_bytes=policy.max_body_bytes)
        check_subscription(submission, author)
        now = self.clock.now()
        key: IdempotencyKey | None = None
        if idempotency_key is not None:
            key = IdempotencyKey.for_post(
                idempotency_key,
                author_key=author.key,
                thread_key=thread_key,
                parent_id=submission.parent_id,
                body=body,
                expires_at=now + policy.idempotency_ttl,
            )
        # The reads before the write (the checks' early answers) share one transaction.
        with reading_together(self.store):
            # A replay answers before any check: the first attempt passed them.
            if key is not None and (replayed := self.store.find_idempotent(key, now=now)):
                return replayed
            thread = self.store.ensure_thread(thread_key, title=title, url=url, now=now)
            if thread.closed and not moderator:
                raise ThreadClosedError("thread_closed", "This thread is closed to new comments.")
            candidate = Candidate(
                thread=thread,
                author=author,
                body=body,
                context=context,
                now=now,
                parent=self._parent_for(thread_key, submission.parent_id),
                honeypot=submission.honeypot,
                moderator=moderator,
            )
            verdict = self.pipeline.check(candidate)
            if verdict.action is not Action.REJECT:
                # Written inside the block: a store may hand the block's connection to
                # the write's own transaction (one pool checkout per post, issue 12).
                draft = self._draft(candidate, verdict, submission, key)
                return self.store.add_comment(draft, self._new_notices(draft, candidate.parent))
        # A parallel request with this key may have stored it since the replay
        # check above: its comment is what tripped flood control or duplicates.
        if key is not None and (replayed := self.store.find_idempotent(key, now=now)):
            return replayed
        raise self._rejection(verdict)

    def _draft(
        self,
        candidate: Candidate,
        verdict: Verdict,
        submission: Submission,
        key: IdempotencyKey | None,
    ) -> NewComment:
        """Build the comment to store for an accepted ``candidate``: rendered once, with guards."""
        parent = candidate.parent
        guards: tuple[CommentGuard, ...] = tuple(
            g for g in verdict.guards if isinstance(g, _COMMENT_GUARDS)
        )
        if not candidate.moderator:
            # First: a closed thread answers 409 before any rate or duplicate verdict,
            # and the SQL store checks it before it takes the guards' row locks.
            guards = (_OPEN_THREAD, *guards)
        return NewComment(
            thread_key=candidate.thread.key,
            parent_id=parent.id if parent else None,
            author=candidate.author,
            body_source=candidate.body,
            body_html=self.renderer.render(candidate.body),
            status=_rules.status_for(verdict),
            created_at=candidate.now,
            reasons=verdict.reasons,
            context=candidate.context,
            notify_replies=submission.notify_replies,
            notify_thread=submission.notify_thread,
            guards=guards,
            idempotency=key,
        )

    def _new_notices(self, draft: NewComment, parent: Comment | None) -> list[Notice]:
        """Return the notices a new comment makes (no notifiers: no preview is built)."""
        if not self.notifiers:
            return []
        # What notifiers are asked about: the comment as it will be stored, id still unknown.
        preview = Comment(
            id=0,
            thread_key=draft.thread_key,
            parent_id=draft.parent_id,
            root_id=parent.root_id if parent else 0,
            depth=parent.depth + 1 if parent else 0,
            author=draft.author,
            body_source=draft.body_source,
            body_html=draft.body_html,
            status=draft.status,
            created_at=draft.created_at,
            reasons=draft.reasons,
            context=draft.context,
            notify_replies=draft.notify_replies,
        )
        return self._notices(_EVENT_FOR_NEW[draft.status], preview)

    def edit(self, comment_id: int, body: str, actor: Actor) -> Comment:
        """Change a comment's body: its author within the edit window, or a moderator.

        An author's edit goes through the moderation pipeline again, so an
        approved comment cannot be edited into spam.
        """
        comment, now = self._own_live(
            comment_id, actor, verb="edit", deleted="A deleted comment cannot be edited."
        )
        body = _rules.check_body(body, max_bytes=self.policy.max_body_bytes)
        status: Status = comment.status
        reasons = comment.reasons
        if not actor.moderator:
            verdict = self.pipeline.check(self._candidate_for(comment, body, now))
            self._raise_if_rejected(verdict)
            if verdict.action is not Action.ACCEPT:
                status, reasons = _rules.status_for(verdict), verdict.reasons
        updated = attrs.evolve(
            comment,
            body_source=body,
            body_html=self.renderer.render(body),
            edited_at=now,
            status=status,
            reasons=reasons,
        )
        notices: list[Notice] = []
        if status is not comment.status:
            kind = EventKind.HELD if status is Status.PENDING else EventKind.SPAM
            notices = self._notices(kind, updated)
        return self.store.update_comment(updated, notices, now=now)

    def preview(self, body: str) -> str:
        """Return ``body`` checked and rendered exactly as posting would, storing nothing."""
        return self.renderer.render(_rules.check_body(body, max_bytes=self.policy.max_body_bytes))

    def delete(self, comment_id: int, actor: Actor) -> Comment | None:
        """Delete a comment: its author within the edit window, or a moderator.

        A comment with replies leaves a placeholder so the replies keep their
        place (returned); a comment without replies disappears (``None``), and
        so does any placeholder above it that has no replies left.
        """
        comment, now = self._own_live(
            comment_id, actor, verb="delete", deleted="This comment is already deleted."
        )
        return self._remove(comment, now)

    def _own_live(
        self, comment_id: int, actor: Actor, *, verb: str, deleted: str
    ) -> tuple[Comment, datetime]:
        """Return the comment ``actor`` may ``verb`` now (its author in the window, or a moderator).

        Returns it with the moment of the check; a deleted placeholder is a
        ``ConflictError`` whose message is ``deleted``.
        """
        comment = _rules.require_visible(self.store.get_comment(comment_id), actor, comment_id)
        now = self.clock.now()
        _rules.require_author_in_window(
            comment, actor, now=now, window=self.policy.edit_window, verb=verb
        )
        if comment.status is Status.DELETED:
            raise ConflictError("comment_deleted", deleted)
        return comment, now

    def moderate(self, comment_id: int, decision: Decision, actor: Actor) -> Comment | None:
        """Apply a moderator's decision; returns the comment, or ``None`` if it is gone.

        Marking spam, or approving what was spam (``HAM``), is passed to the
        pipeline's learning steps after the change is stored.
        """
        _rules.require_moderator(actor)
        comment = self.store.get_comment(comment_id)
        if comment is None:
            raise NotFoundError("comment_not_found", f"There is no comment {comment_id}.")
        now = self.clock.now()
        if decision is Decision.DELETE:
            if comment.status is Status.DELETED:
                raise ConflictError("comment_deleted", "This comment is already deleted.")
            return self._remove(comment, now)
        if comment.status is Status.DELETED:
            raise ConflictError("comment_deleted", "A deleted comment cannot be moderated.")
        if decision is Decision.SPAM:
            target, kind = Status.SPAM, EventKind.SPAM
        else:
            target, kind = Status.APPROVED, EventKind.APPROVED
        if comment.status is target:
            updated = comment
        else:
            changed = attrs.evolve(comment, status=target)
            updated = self.store.update_comment(changed, self._notices(kind, changed), now=now)
        if target is Status.SPAM:
            # A spammer must not keep the subscription their comment made.
            _subscriptions.drop_comment_subscription(self.store, comment_id)
        teach_spam = decision is Decision.SPAM and comment.status is not Status.SPAM
        teach_ham = decision is Decision.HAM or (
            decision is Decision.APPROVE and comment.status is Status.SPAM
        )
        if teach_spam or teach_ham:
            self._learn(updated, is_spam=teach_spam)
        return updated

    def vote(
        self,
        comment_id: int,
        actor: Actor,
        value: Literal[-1, 0, 1],
        context: RequestContext = RequestContext(),
    ) -> Comment:
        """Vote a visible comment up (1), down (-1) or withdraw the vote (0).

        One vote per identity per comment; voting again replaces the vote.
        ``context`` (the voter's IP) feeds the vote steps, such as
        :class:`~threadkit.moderation.VoteLimit`; a refused vote raises
        ``RejectedError`` or ``RateLimitedError``.
        """
        if isinstance(value, bool) or value not in (-1, 0, 1):
            raise ValidationError(
                "invalid_vote", "A vote is 1 (up), -1 (down) or 0 (withdraw).", field="value"
            )
        if actor.identity is None:
            raise AuthenticationRequiredError(
                "authentication_required", "Identify yourself to vote."
            )
        comment = _rules.require_visible(self.store.get_comment(comment_id), actor, comment_id)
        if comment.status is not Status.APPROVED:
            raise ConflictError("not_votable", "Only published comments can be voted on.")
        if comment.author.key == actor.key:
            raise PermissionDeniedError("own_comment", "You cannot vote on your own comment.")
        now = self.clock.now()
        candidate = VoteCandidate(
            comment, actor.identity, value, context, now, moderator=actor.moderator
        )
        verdict = Verdict.accept()
        for step in self.vote_steps:
            verdict = verdict.combine(step.check(candidate))
            self._raise_if_rejected(verdict)
        return self.store.vote(
            comment_id,
            actor.identity.key,
            value,
            ip=context.ip,
            at=now,
            guards=[g for g in verdict.guards if isinstance(g, VoteQuota)],
        )

    def unsubscribe(self, comment_id: int) -> Comment:
        """Stop reply notifications for one comment.

        The caller has already checked the right to do so (a signed link).
        """
        comment = self.store.get_comment(comment_id)
        if comment is None:
            raise NotFoundError("comment_not_found", f"There is no comment {comment_id}.")
        if not comment.notify_replies:
            return comment
        return self.store.update_comment(
            attrs.evolve(comment, notify_replies=False), now=self.clock.now()
        )

    # ------------------------------------------------------------------ reading

    def get_comment(self, comment_id: int, viewer: Actor = Actor()) -> Comment:
        """Return one comment the viewer may see; ``NotFoundError`` otherwise."""
        return _rules.require_visible(self.store.get_comment(comment_id), viewer, comment_id)

    def page(
        self,
        thread_key: str,
        viewer: Actor = Actor(),
        *,
        sort: SortOrder | None = None,
        cursor: str | None = None,
        top_limit: int | None = None,
        total_limit: int | None = None,
    ) -> ThreadPage:
        """Return one page of a thread as a tree.

        A page holds up to ``top_limit`` top-level comments with their replies,
        at most ``total_limit`` comments in all; nodes whose replies did not
        fit carry ``more_replies``: how many comments the first batch of their
        :meth:`subtree` (at this page's ``total_limit``) adds to this page.
        """
        thread = self.get_thread(thread_key)
        order = sort if sort is not None else self.policy.default_sort
        visibility = _rules.visibility_for(viewer)
        total = self._limit(
            "total_limit", total_limit, self.policy.total_limit, self.policy.max_total_limit
        )
        rows = self.store.page(
            thread_key,
            sort=order,
            visibility=visibility,
            cursor=cursor,
            top_limit=self._limit(
                "top_limit", top_limit, self.policy.top_limit, self.policy.max_top_limit
            ),
            total_limit=total,
        )
        nodes = build_tree(
            mask_hidden(rows.comments, visibility),
            sort=order,
            max_depth=self.policy.max_display_depth,
            overflow=self.policy.overflow,
        )
        # One top-level comment filling the page: its replies may have been cut.
        count_cut_links(self.store, nodes, rows, visibility, total)
        return ThreadPage(thread=thread, nodes=nodes, sort=order, next_cursor=rows.next_cursor)

    def subtree(
        self,
        comment_id: int,
        viewer: Actor = Actor(),
        *,
        cursor: str | None = None,
        total_limit: int | None = None,
    ) -> SubtreePage:
        """Return the replies under one comment as a tree ("N more replies").

        A comment the viewer may not see is answered only when it has replies
        the viewer may see, and then as a placeholder (see :meth:`page`).
        """
        visibility = _rules.visibility_for(viewer)
        stored = self.store.get_comment(comment_id)
        if stored is not None and not visibility.can_see(stored):
            parent, masked = stored, True
        else:
            parent, masked = _rules.require_visible(stored, viewer, comment_id), False
        rows = self.store.subtree(
            comment_id,
            visibility=visibility,
            cursor=cursor,
            total_limit=self._limit(
                "total_limit", total_limit, self.policy.total_limit, self.policy.max_total_limit
            ),
        )
        if masked:
            if not rows.comments:  # nothing to hold a place for: it looks missing
                _rules.require_visible(stored, viewer, comment_id)
            parent = placeholder_of(parent)
        limit = self.policy.max_display_depth
        base = display_depth(parent.depth + 1, limit, self.policy.overflow)
        nodes = build_tree(
            rows.comments,
            max_depth=limit,
            overflow=self.policy.overflow,
            under=comment_id,
            base_depth=base,
        )
        # Every visible reply below is in this batch or behind next_cursor, which the
        # caller offers as "More replies": a per-comment link would load rows twice.
        for node in walk(nodes):
            node.more_replies = 0
        return SubtreePage(parent=parent, nodes=nodes, next_cursor=rows.next_cursor)

    def counts(self, thread_keys: Sequence[str]) -> dict[str, int]:
        """Return approved-comment counts for many threads at once (unknown: 0)."""
        if len(thread_keys) > self.policy.max_counts_keys:
            raise ValidationError(
                "too_many_threads",
                f"Ask for at most {self.policy.max_counts_keys} threads at once.",
                field="threads",
            )
        for key in thread_keys:
            _rules.check_thread_key(key, max_length=self.policy.max_thread_key_length)
        return self.store.counts(list(dict.fromkeys(thread_keys)))

    def recent(self, limit: int = 20, thread_key: str | None = None) -> list[Comment]:
        """Return the newest approved comments, newest first."""
        size = self._limit("limit", limit, 20, self.policy.max_recent)
        if thread_key is not None:
            _rules.check_thread_key(thread_key, max_length=self.policy.max_thread_key_length)
        return self.store.recent(size, thread_key)

    def queue(
        self,
        actor: Actor,
        statuses: Sequence[Status] = (Status.PENDING, Status.SPAM),
        *,
        limit: int = 50,
        cursor: str | None = None,
    ) -> CommentRows:
        """Return the moderation queue, newest first; moderators only."""
        _rules.require_moderator(actor)
        size = self._limit("limit", limit, 50, self.policy.max_top_limit)
        return self.store.moderation_queue(statuses, limit=size, cursor=cursor)

    # ------------------------------------------------------------------ moderation upkeep

    def recheck(self, comment_id: int) -> Comment:
        """Run the pipeline again on a pending comment and apply the new verdict.

        Used when a spam service that was down comes back. A verdict to
        accept publishes the comment; to hold keeps it pending with the new
        reasons; spam or reject stores it as spam (nothing is ever dropped here).
        """
        comment = self.store.get_comment(comment_id)
        if comment is None:
            raise NotFoundError("comment_not_found", f"There is no comment {comment_id}.")
        if comment.status is not Status.PENDING:
            raise ConflictError("not_pending", "Only pending comments are re-checked.")
        now = self.clock.now()
        verdict = self.pipeline.check(self._candidate_for(comment, comment.body_source, now))
        if verdict.action is Action.ACCEPT:
            status, kind = Status.APPROVED, EventKind.APPROVED
        elif verdict.action is Action.HOLD:
            status, kind = Status.PENDING, None
        else:
            status, kind = Status.SPAM, EventKind.SPAM
        updated = attrs.evolve(comment, status=status, reasons=verdict.reasons)
        notices = self._notices(kind, updated) if kind is not None else []
        return self.store.update_comment(updated, notices, now=now)

    # ------------------------------------------------------------------ personal data

    def export(self, identity_key: str) -> PersonalData:
        """Return everything stored about one identity."""
        return PersonalData(
            identity_key=identity_key,
            comments=self.store.comments_by_author(identity_key),
            votes=self.store.votes_by(identity_key),
            subscriptions=subscriptions_of(self.store, author_key=identity_key),
        )

    def erase(self, identity_key: str) -> int:
        """Erase one identity's comments and votes; returns how many comments.

        Comments with replies become anonymous placeholders so the replies
        keep their place; the others are removed for good.
        """
        comments = self.store.comments_by_author(identity_key)
        self._scrub(comments)
        self.store.erase_votes(identity_key)
        forget_subscriptions(self.store, author_key=identity_key)
        return len(comments)

    def export_email(self, email: str) -> PersonalData:
        """Return every comment written with ``email`` (any identity) and those authors' votes.

        Finds anonymous commenters too, whose identity is only a browser
        cookie: comments keep the email they were written with. Needs a
        store with ``comments_by_email`` (a :class:`~threadkit.ports.SiteStore`).
        ``identity_key`` of the result is the email, lower-cased.
        """
        comments = self._by_email(email)
        votes: dict[int, int] = {}
        for key in sorted({c.author.key for c in comments}):
            votes.update(self.store.votes_by(key))
        subscriptions = subscriptions_of(self.store, email=email)
        return PersonalData(email.strip().lower(), comments, votes, subscriptions)

    def erase_email(self, email: str) -> int:
        """Erase every comment written with ``email`` and its authors' votes; how many comments.

        As :meth:`erase`: a comment with replies becomes an anonymous
        placeholder (request data scrubbed) so the thread stays readable;
        the others are removed. Votes are erased for every identity that
        wrote with this email.
        """
        comments = self._by_email(email)
        self._scrub(comments)
        for key in sorted({c.author.key for c in comments}):
            self.store.erase_votes(key)
        forget_subscriptions(self.store, email=email)
        return len(comments)

    def _scrub(self, comments: list[Comment]) -> None:
        now = self.clock.now()
        # Deepest first, so a parent sees its children already gone.
        for comment in sorted(comments, key=lambda c: (-c.depth, -c.id)):
            if (current := self.store.get_comment(comment.id)) is not None:
                self._remove(current, now, scrub=True)

    def _by_email(self, email: str) -> list[Comment]:
        wanted = email.strip()
        if not wanted or "@" not in wanted:
            raise ValidationError(
                "invalid_email", f"{email!r} is not an email address.", field="email"
            )
        if not isinstance(self.store, SiteStore):
            raise TypeError(
                f"{type(self.store).__name__} cannot look comments up by email;"
                " it needs comments_by_email (threadkit.ports.SiteStore)"
            )
        return self.store.comments_by_email(wanted)

    # ------------------------------------------------------------------ helpers

    def _parent_for(self, thread_key: str, parent_id: int | None) -> Comment | None:
        if parent_id is None:
            return None
        if isinstance(parent_id, bool) or not isinstance(parent_id, int) or parent_id <= 0:
            raise InvalidParentError(
                "invalid_parent", "parent_id must be a positive comment id.", field="parent_id"
            )
        parent = self.store.get_comment(parent_id)
        if parent is None or parent.thread_key != thread_key:
            raise InvalidParentError(
                "invalid_parent",
                f"There is no comment {parent_id} in this thread to reply to.",
                field="parent_id",
            )
        if parent.status is not Status.APPROVED:
            raise InvalidParentError(
                "parent_not_visible",
                f"Comment {parent_id} is not published, so it cannot be replied to.",
                field="parent_id",
            )
        return parent

    def _candidate_for(self, comment: Comment, body: str, now: datetime) -> Candidate:
        thread = self.get_thread(comment.thread_key)
        parent = None if comment.parent_id is None else self.store.get_comment(comment.parent_id)
        return Candidate(
            thread=thread,
            author=comment.author,
            body=body,
            context=comment.context,
            now=now,
            parent=parent,
            comment_id=comment.id,
        )

    @staticmethod
    def _raise_if_rejected(verdict: Verdict) -> None:
        if verdict.action is Action.REJECT:
            raise CommentEngine._rejection(verdict)

    @staticmethod
    def _rejection(verdict: Verdict) -> RejectedError:
        """Return the error a rejecting ``verdict`` raises."""
        # The pipeline stops at the first rejecting step, so its reason is the last one.
        reason = verdict.reasons[-1] if verdict.reasons else None
        code = reason.code if reason else "rejected"
        message = reason.message if reason else "The comment was refused."
        if verdict.retry_after is not None:
            return RateLimitedError(
                code, message, retry_after=verdict.retry_after, reasons=verdict.reasons
            )
        field = _rules.field_of(reason) if reason else None
        return RejectedError(code, message, field=field, reasons=verdict.reasons)

    def _notices(self, kind: EventKind, comment: Comment) -> list[Notice]:
        return [Notice(n.channel, kind) for n in self.notifiers if n.wants(kind, comment)]

    def _remove(self, comment: Comment, now: datetime, *, scrub: bool = False) -> Comment | None:
        """Delete ``comment``: a placeholder if it has replies, else gone for good."""
        placeholder = attrs.evolve(
            comment,
            status=Status.DELETED,
            author=_rules.DELETED_AUTHOR,
            body_source="",
            body_html="",
            reasons=(),
            context=RequestContext() if scrub else comment.context,
            notify_replies=False,
        )
        if comment.status is not Status.DELETED:
            # Written first (with its notice) so the deletion is recorded even
            # if removing the row below fails: the reader then sees a placeholder.
            placeholder = self.store.update_comment(
                placeholder, self._notices(EventKind.DELETED, comment), now=now
            )
        elif scrub:
            placeholder = self.store.update_comment(placeholder, now=now)
        if self.store.child_count(comment.id) > 0:
            return placeholder
        self._prune(comment)
        return None

    def _prune(self, comment: Comment) -> None:
        """Remove a reply-less comment, then any placeholder above left without replies."""
        current: Comment | None = comment
        while current is not None:
            self.store.remove_comment(current.id)
            if current.parent_id is None:
                return
            parent = self.store.get_comment(current.parent_id)
            if parent is None or parent.status is not Status.DELETED:
                return
            if self.store.child_count(parent.id) > 0:
                return
            current = parent

    def _learn(self, comment: Comment, *, is_spam: bool) -> None:
        try:
            self.pipeline.learn(comment, is_spam)
        except Exception:  # a learning step's outage must not undo a moderator's decision
            _log.exception("moderation feedback for comment %s failed", comment.id)

    @staticmethod
    def _limit(name: str, value: int | None, default: int, maximum: int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(
                "invalid_limit", f"{name} must be a positive whole number.", field=name
            )
        return min(value, maximum)
