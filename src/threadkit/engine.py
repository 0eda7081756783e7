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
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

import attrs

from .models import (
    Actor,
    Comment,
    CommentRows,
    Identity,
    RequestContext,
    SortOrder,
    Status,
    Submission,
    Thread,
)
from .pages import SubtreePage, ThreadPage
from .tree import Overflow

__all__ = ["CommentEngine", "Decision", "EnginePolicy", "PersonalData"]


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


@attrs.frozen
class PersonalData:
    """Everything stored about one identity (for export requests)."""

    identity_key: str
    comments: list[Comment]
    votes: dict[int, int]


class CommentEngine:
    """Post, read, edit, delete, moderate and vote on comments.

    (Signatures fixed; implementation in progress.)
    """

    def thread(self, key: str, *, title: str = "", url: str = "") -> Thread:
        """Return the thread ``key``, creating it if new."""
        raise NotImplementedError

    def get_thread(self, key: str) -> Thread:
        """Return the thread ``key``; ``NotFoundError`` if it does not exist."""
        raise NotImplementedError

    def close_thread(self, key: str, actor: Actor, *, closed: bool = True) -> Thread:
        """Close (or reopen) a thread; moderators only."""
        raise NotImplementedError

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
    ) -> Comment:
        """Post a comment (a reply when ``submission.parent_id`` is set)."""
        raise NotImplementedError

    def edit(self, comment_id: int, body: str, actor: Actor) -> Comment:
        """Change a comment's body: its author within the edit window, or a moderator."""
        raise NotImplementedError

    def delete(self, comment_id: int, actor: Actor) -> Comment | None:
        """Delete a comment; returns the placeholder left behind, or ``None``."""
        raise NotImplementedError

    def moderate(self, comment_id: int, decision: Decision, actor: Actor) -> Comment | None:
        """Apply a moderator's decision; returns the comment, ``None`` if deleted."""
        raise NotImplementedError

    def vote(self, comment_id: int, actor: Actor, value: Literal[-1, 0, 1]) -> Comment:
        """Vote a visible comment up (1), down (-1) or withdraw the vote (0)."""
        raise NotImplementedError

    def get_comment(self, comment_id: int, viewer: Actor = Actor()) -> Comment:
        """Return one comment the viewer may see; ``NotFoundError`` otherwise."""
        raise NotImplementedError

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
        """Return one page of a thread as a tree."""
        raise NotImplementedError

    def subtree(
        self,
        comment_id: int,
        viewer: Actor = Actor(),
        *,
        cursor: str | None = None,
        total_limit: int | None = None,
    ) -> SubtreePage:
        """Return the replies under one comment as a tree ("N more replies")."""
        raise NotImplementedError

    def counts(self, thread_keys: Sequence[str]) -> dict[str, int]:
        """Return approved-comment counts for many threads at once."""
        raise NotImplementedError

    def recent(self, limit: int = 20, thread_key: str | None = None) -> list[Comment]:
        """Return the newest approved comments, newest first."""
        raise NotImplementedError

    def queue(
        self,
        actor: Actor,
        statuses: Sequence[Status] = (Status.PENDING, Status.SPAM),
        *,
        limit: int = 50,
        cursor: str | None = None,
    ) -> CommentRows:
        """Return the moderation queue; moderators only."""
        raise NotImplementedError

    def recheck(self, comment_id: int) -> Comment:
        """Run the pipeline again on a pending comment and apply the new verdict."""
        raise NotImplementedError

    def export(self, identity_key: str) -> PersonalData:
        """Return everything stored about one identity."""
        raise NotImplementedError

    def erase(self, identity_key: str) -> int:
        """Erase one identity's comments and votes; returns how many comments."""
        raise NotImplementedError
