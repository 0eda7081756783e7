"""Write to a store under test and read every page back: what the store suite is built from.

Public, so a store's own tests (beyond the conformance suite) use the same
fixed people, time and page walks::

    from threadkit.clock import ManualClock
    from threadkit.testing.store_kit import ADA, T0, Kit

    kit = Kit(MyStore(), ManualClock(T0))
    first = kit.add(author=ADA)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypedDict, Unpack

import attrs

from threadkit.clock import ManualClock
from threadkit.models import (
    Comment,
    CommentRows,
    Identity,
    NewComment,
    Notice,
    RequestContext,
    SortOrder,
    Status,
    Thread,
    Visibility,
)
from threadkit.ports import CommentStore

__all__ = [
    "ADA",
    "BOB",
    "CY",
    "EVERYONE",
    "MAX_PAGES",
    "MODERATOR",
    "PageQuery",
    "T0",
    "Kit",
    "assert_parents_first",
    "plain_draft",
    "preorder",
]

#: The suite's fixed starting time: aware UTC with microseconds.
T0 = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)

ADA = Identity("anonymous", "ada-browser", "Ada", email="ada@example.org")
BOB = Identity("anonymous", "bob-browser", "Bob")
CY = Identity("github", "cy", "Cy", url="https://example.org/cy", verified=True)

EVERYONE = Visibility()
MODERATOR = Visibility(moderator=True)

#: Guard against a store whose cursors never end.
MAX_PAGES = 10_000


def plain_draft(
    thread_key: str,
    parent_id: int | None,
    author: Identity,
    body: str,
    created_at: datetime,
    *,
    status: Status = Status.APPROVED,
    context: RequestContext = RequestContext(),
    notify_replies: bool = False,
) -> NewComment:
    """Return a draft whose HTML is its text in one paragraph, as suites write them."""
    return NewComment(
        thread_key=thread_key,
        parent_id=parent_id,
        author=author,
        body_source=body,
        body_html=f"<p>{body}</p>",
        status=status,
        created_at=created_at,
        context=context,
        notify_replies=notify_replies,
    )


class PageQuery(TypedDict, total=False):
    """How :meth:`Kit.pages` reads a thread: the store's ``page`` arguments but the cursor.

    Unset keys read everything in oldest-first order, as everyone sees it:
    ``sort=OLDEST``, ``visibility=EVERYONE``, ``top_limit=100``, ``total_limit=2000``.
    """

    sort: SortOrder
    visibility: Visibility
    top_limit: int
    total_limit: int


class Kit:
    """Short ways to write to a store under test, and to read every page back."""

    def __init__(self, store: CommentStore, clock: ManualClock) -> None:
        self.store = store
        self.clock = clock

    def thread(self, key: str = "t1", *, title: str = "", url: str = "") -> Thread:
        """Ensure the thread ``key`` exists at the clock's time."""
        return self.store.ensure_thread(key, title=title, url=url, now=self.clock.now())

    def add(
        self,
        parent: Comment | int | None = None,
        *,
        thread_key: str = "t1",
        author: Identity = ADA,
        body: str = "Hello",
        status: Status = Status.APPROVED,
        ip: str = "192.0.2.1",
        notices: Sequence[Notice] = (),
    ) -> Comment:
        """Add one comment a tick after the previous one (a reply when ``parent`` is set)."""
        parent_id = parent.id if isinstance(parent, Comment) else parent
        context = RequestContext(ip=ip, user_agent="suite/1.0")
        draft = plain_draft(
            thread_key, parent_id, author, body, self.clock.tick(), status=status, context=context
        )
        return self.store.add_comment(draft, notices)

    def comments(self, count: int, thread_key: str = "t1") -> list[Comment]:
        """Ensure the thread ``thread_key`` and add ``count`` top-level comments, oldest first."""
        self.thread(thread_key)
        return [self.add(thread_key=thread_key) for _ in range(count)]

    def get(self, comment: Comment | int) -> Comment:
        """Read a comment back; fail the test if it is gone."""
        comment_id = comment.id if isinstance(comment, Comment) else comment
        found = self.store.get_comment(comment_id)
        assert found is not None, f"comment {comment_id} vanished from the store"
        return found

    def count(self, key: str = "t1") -> tuple[int, int]:
        """Return the thread's ``(comment_count, top_level_count)``."""
        thread = self.store.get_thread(key)
        assert thread is not None, f"thread {key!r} vanished from the store"
        return thread.comment_count, thread.top_level_count

    def set_status(self, comment: Comment, status: Status) -> Comment:
        """Move a stored comment to ``status``."""
        current = self.get(comment)
        return self.store.update_comment(
            attrs.evolve(current, status=status), now=self.clock.tick()
        )

    def pages(self, key: str = "t1", **query: Unpack[PageQuery]) -> list[CommentRows]:
        """Read every page of a thread, following cursors to the end."""
        pages: list[CommentRows] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            rows = self.store.page(
                key,
                sort=query.get("sort", SortOrder.OLDEST),
                visibility=query.get("visibility", EVERYONE),
                cursor=cursor,
                top_limit=query.get("top_limit", 100),
                total_limit=query.get("total_limit", 2000),
            )
            pages.append(rows)
            cursor = rows.next_cursor
            if cursor is None:
                return pages
        raise AssertionError(f"page cursors of {key!r} did not end after {MAX_PAGES} pages")

    def ids(self, key: str = "t1", **query: Unpack[PageQuery]) -> list[int]:
        """Return the ids of every page of a thread, in page order (see ``pages``)."""
        return [comment.id for rows in self.pages(key, **query) for comment in rows.comments]

    def subtree_pages(
        self, comment_id: int, *, visibility: Visibility = EVERYONE, total_limit: int = 2000
    ) -> list[CommentRows]:
        """Read every batch of one subtree, following cursors to the end."""
        pages: list[CommentRows] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            rows = self.store.subtree(
                comment_id, visibility=visibility, cursor=cursor, total_limit=total_limit
            )
            pages.append(rows)
            cursor = rows.next_cursor
            if cursor is None:
                return pages
        raise AssertionError(f"subtree cursors of {comment_id} did not end")

    def random_thread(self, size: int, *, seed: int, key: str = "t1") -> list[Comment]:
        """Add ``size`` comments with seeded random parents, authors and statuses.

        Top-level comments are approved; replies take any status.
        """
        rng = random.Random(seed)
        added: list[Comment] = []
        statuses = [Status.APPROVED] * 6 + [Status.PENDING, Status.SPAM, Status.DELETED]
        for _ in range(size):
            parent = rng.choice(added) if added and rng.random() < 0.7 else None
            comment = self.add(
                parent,
                thread_key=key,
                author=rng.choice([ADA, BOB, CY]),
                status=Status.APPROVED if parent is None else rng.choice(statuses),
            )
            added.append(comment)
        return added


def preorder(
    comments: Sequence[Comment], visibility: Visibility, tops: Sequence[Comment] | None = None
) -> list[int]:
    """Return the ids a page walk over ``comments`` (one thread) should list, in order.

    Each top-level comment the reader may see, in the order of ``tops``
    (default: oldest first), followed by its visible descendants depth first
    with siblings oldest first; hidden comments are walked through, not listed.
    """
    children: dict[int | None, list[Comment]] = {}
    for comment in sorted(comments, key=lambda c: c.id):
        children.setdefault(comment.parent_id, []).append(comment)
    order: list[int] = []
    for top in children.get(None, []) if tops is None else tops:
        if not visibility.can_see(top):
            continue
        order.append(top.id)
        stack = list(reversed(children.get(top.id, [])))
        while stack:
            comment = stack.pop()
            stack.extend(reversed(children.get(comment.id, [])))
            if visibility.can_see(comment):
                order.append(comment.id)
    return order


def assert_parents_first(comments: Sequence[Comment]) -> None:
    """Fail unless every comment whose parent is listed comes after that parent."""
    seen: set[int] = set()
    listed = {comment.id for comment in comments}
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in listed:
            assert comment.parent_id in seen, f"comment {comment.id} came before its parent"
        seen.add(comment.id)
