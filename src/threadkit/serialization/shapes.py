"""Every JSON shape threadkit shows the world, defined once as ``msgspec.Struct`` classes.

Each class here is the one definition of a shape: the encoders build and
encode these Structs, ``to_public`` turns them into plain values, and the
OpenAPI document's schemas are generated from them (:func:`json_schemas`).
A class name is the schema's name in that document.

Readers and moderators get different shapes, each its own class: the
``Moderator*`` variants add the author's email, the request context and the
moderation reasons. Answer shapes allow no other keys in their schemas, so an
answer that validates as a reader's shape carries no private field.

A deleted comment kept as a placeholder for its replies is the same class
with ``author`` null, empty bodies and no ``edited_at``, votes, ``score``,
``context`` or ``reasons``: a field typed ``... | UnsetType`` is left out
when its value is ``msgspec.UNSET``, and is not required in the schema.

>>> import msgspec
>>> msgspec.json.encode(Reason("links", "too_many", "Three links or more."))
b'{"step":"links","code":"too_many","message":"Three links or more."}'
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

import msgspec
from msgspec import UNSET, UnsetType

from threadkit.engine import Decision
from threadkit.models import SortOrder, Status
from threadkit.serialization._parse import MAX_ID

__all__ = [
    "PUBLIC_SHAPES",
    "Author",
    "Comment",
    "CommentRows",
    "Context",
    "Counts",
    "Deleted",
    "Edit",
    "LoggedOut",
    "Me",
    "Moderation",
    "ModeratorAuthor",
    "ModeratorComment",
    "ModeratorCommentRows",
    "ModeratorDeleted",
    "ModeratorNode",
    "ModeratorSubtreePage",
    "ModeratorThreadPage",
    "NewComment",
    "Node",
    "Problem",
    "Provider",
    "Reason",
    "SessionToken",
    "SubtreePage",
    "Thread",
    "ThreadPage",
    "Vote",
    "json_schemas",
]

Time = Annotated[datetime, msgspec.Meta(extra_json_schema={"format": "date-time"})]
"""A moment, written as ISO 8601 in UTC with ``Z`` (the fraction only when not zero)."""

NonNegative = Annotated[int, msgspec.Meta(ge=0)]
"""A count."""

Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
"""A comment id."""


class _Shape(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An answer's shape: its schema allows no other keys (gc off: these never form cycles)."""


class _Open(msgspec.Struct, gc=False):
    """A shape whose schema allows more keys (problems carry extras; requests may too)."""


# ---------------------------------------------------------------- people and context


class Author(_Shape):
    """Who wrote a comment, as any reader sees it: never the email or the provider's subject."""

    provider: str
    name: str
    url: str | None
    avatar: str | None
    verified: bool


class ModeratorAuthor(_Shape):
    """Who wrote a comment, as a moderator sees it: with the email (null when none was given)."""

    provider: str
    name: str
    email: str | None
    url: str | None
    avatar: str | None
    verified: bool


class Context(_Shape):
    """Where a comment came from (moderators only)."""

    ip: str
    user_agent: str
    referrer: str
    language: str


class Reason(_Shape):
    """Why a moderation step held, flagged or refused a comment."""

    step: str
    code: str
    message: str


# ---------------------------------------------------------------- comments and trees

AuthorT = TypeVar("AuthorT", Author, ModeratorAuthor)


class _CommentFields(_Shape, Generic[AuthorT]):
    """The fields every comment shape has, in their order."""

    id: Id
    thread: str
    parent_id: Id | None
    root_id: Id
    depth: NonNegative
    status: Status
    author: AuthorT | None
    body_html: Annotated[str, msgspec.Meta(description="Sanitized HTML.")]
    body_source: (
        Annotated[
            str,
            msgspec.Meta(
                description="The Markdown source, for editing; left out of the pages served"
                " to readers who cannot edit (public, cached pages)."
            ),
        ]
        | UnsetType
    )
    created_at: Time
    edited_at: Time | UnsetType | None
    upvotes: NonNegative | UnsetType
    downvotes: NonNegative | UnsetType
    score: int | UnsetType
    reply_count: NonNegative


class Comment(_CommentFields[Author]):
    """A comment as any reader sees it (a placeholder when ``status`` is ``deleted``)."""


class ModeratorComment(_CommentFields[ModeratorAuthor]):
    """A comment as a moderator sees it: the author's email, the request context, the reasons."""

    context: Context | UnsetType
    reasons: list[Reason] | UnsetType


class Node(Comment):
    """A comment in a tree: where it is shown, how many replies are not on this page, its replies.

    ``display_depth`` differs from ``depth`` when a depth limit applies;
    ``more_replies`` counts direct replies not on this page (the subtree
    endpoint fetches them).
    """

    display_depth: NonNegative
    more_replies: NonNegative
    replies: list[Node]


class ModeratorNode(ModeratorComment):
    """A tree node in the moderator view (see :class:`Node`)."""

    display_depth: NonNegative
    more_replies: NonNegative
    replies: list[ModeratorNode]


# ---------------------------------------------------------------- threads and pages

NodeT = TypeVar("NodeT", Node, ModeratorNode)
CommentT = TypeVar("CommentT", Comment, ModeratorComment)


class Thread(_Shape):
    """A thread: its key, title, url, whether it is closed, and its counts."""

    key: str
    title: str
    url: str
    closed: bool
    comment_count: NonNegative
    top_level_count: NonNegative
    created_at: Time


class _ThreadPageFields(_Shape, Generic[NodeT]):
    thread: Thread
    sort: SortOrder
    next_cursor: str | None
    comments: list[NodeT]


class ThreadPage(_ThreadPageFields[Node]):
    """One page of a thread: the next top-level comments, each with its replies."""


class ModeratorThreadPage(_ThreadPageFields[ModeratorNode]):
    """One page of a thread in the moderator view."""


class _SubtreePageFields(_Shape, Generic[NodeT]):
    parent_id: Id
    next_cursor: str | None
    comments: list[NodeT]


class SubtreePage(_SubtreePageFields[Node]):
    """One page of the replies under a comment."""


class ModeratorSubtreePage(_SubtreePageFields[ModeratorNode]):
    """One page of the replies under a comment, in the moderator view."""


class _CommentRowsFields(_Shape, Generic[CommentT]):
    comments: list[CommentT]
    next_cursor: str | None


class CommentRows(_CommentRowsFields[Comment]):
    """A batch of comments (no tree) and the cursor of the next batch."""


class ModeratorCommentRows(_CommentRowsFields[ModeratorComment]):
    """A batch of the moderation queue."""


class _DeletedFields(_Shape, Generic[CommentT]):
    comment: CommentT | None


class Deleted(_DeletedFields[Comment]):
    """The answer to a deletion: the placeholder left for the replies, or null."""


class ModeratorDeleted(_DeletedFields[ModeratorComment]):
    """The answer to a moderator's decision: the comment as it is now, or null once gone."""


# ---------------------------------------------------------------- the reader's session


class Counts(_Shape):
    """Published-comment counts by thread key."""

    counts: dict[str, NonNegative]


class Provider(_Shape):
    """A way to say who one is: a form, a redirect login or the host site's session."""

    name: str
    kind: Literal["form", "redirect", "session"]
    label: str | UnsetType = UNSET
    login_url: str | UnsetType = UNSET


class Me(_Shape):
    """The current reader: identity (null when unknown), CSRF token and login choices."""

    identity: Author | None
    logged_in: bool
    moderator: bool
    csrf_token: str
    csrf_header: str
    providers: list[Provider]


class LoggedOut(_Shape):
    """The answer to a logout: nobody, and a new CSRF token."""

    identity: None
    logged_in: Literal[False]
    csrf_token: Annotated[str, msgspec.Meta(description="The new CSRF token.")]


class SessionToken(_Shape):
    """A bearer token for a page on another origin (the embed), and who it says the reader is."""

    token: Annotated[
        str, msgspec.Meta(description="Send it as `Authorization: Bearer <token>`.")
    ]
    me: Me


# ---------------------------------------------------------------- errors


class Problem(_Open):
    """An error (RFC 9457 problem details) with a stable, machine-readable ``code``."""

    type: str
    title: str
    status: int
    code: Annotated[str, msgspec.Meta(description="Stable, machine-readable.")]
    detail: Annotated[str, msgspec.Meta(description="For people: what to fix.")]
    field: str | None = None
    retry_after: int | UnsetType = UNSET
    reasons: list[Reason] | UnsetType = UNSET


# ---------------------------------------------------------------- request bodies


class NewComment(_Open, kw_only=True):
    """A comment to post; only ``body`` is required. Unknown keys are ignored."""

    body: Annotated[str, msgspec.Meta(description="Markdown.")]
    parent_id: Id | UnsetType | None = UNSET
    notify_replies: bool | UnsetType = UNSET
    notify_thread: Annotated[
        bool | UnsetType,
        msgspec.Meta(description="Email me about every new comment here (needs email)."),
    ] = UNSET
    honeypot: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    email: str | UnsetType = UNSET
    url: str | UnsetType = UNSET
    thread_meta: Annotated[
        str | UnsetType, msgspec.Meta(description="Signed title/url from the page.")
    ] = UNSET


class Edit(_Open):
    """A comment's new text."""

    body: Annotated[str, msgspec.Meta(description="Markdown.")]


class Vote(_Open):
    """A vote: up (1), down (-1) or none (0)."""

    value: Literal[1, 0, -1, "up", "down", "none"]


class Moderation(_Open):
    """A moderator's decision."""

    decision: Decision


PUBLIC_SHAPES: tuple[type[msgspec.Struct], ...] = (
    Problem,
    Author,
    ModeratorAuthor,
    Comment,
    ModeratorComment,
    Node,
    ModeratorNode,
    Thread,
    ThreadPage,
    ModeratorThreadPage,
    SubtreePage,
    ModeratorSubtreePage,
    CommentRows,
    ModeratorCommentRows,
    Deleted,
    ModeratorDeleted,
    Counts,
    Me,
    LoggedOut,
    SessionToken,
    NewComment,
    Edit,
    Vote,
    Moderation,
)
"""Every shape an HTTP API sends or accepts (what :func:`json_schemas` covers)."""


def json_schemas(ref_template: str = "#/components/schemas/{name}") -> dict[str, Any]:
    """Return the JSON Schema of every shape in :data:`PUBLIC_SHAPES` (and what they use), by name.

    The schemas refer to each other with ``ref_template``; the default suits an
    OpenAPI 3.1 document's ``components.schemas``. A field that may be
    ``UNSET`` is optional even without a default (defaults would make the
    Structs keyword-only, and positional construction is the fast path's speed).

    >>> sorted(json_schemas()["Reason"]["required"])
    ['code', 'message', 'step']
    >>> "edited_at" in json_schemas()["Comment"]["required"]
    False
    """
    _, components = msgspec.json.schema_components(PUBLIC_SHAPES, ref_template=ref_template)
    for cls in _struct_classes():
        schema = components.get(cls.__name__)
        if schema is None or "required" not in schema:
            continue
        optional = {f.encode_name for f in msgspec.structs.fields(cls) if _may_be_unset(f.type)}
        schema["required"] = [name for name in schema["required"] if name not in optional]
    return components


def _struct_classes() -> list[type[msgspec.Struct]]:
    """Every Struct class defined in this module."""
    return [
        value
        for value in globals().values()
        if isinstance(value, type) and issubclass(value, msgspec.Struct)
    ]


def _may_be_unset(annotation: Any) -> bool:
    """Tell whether a field's type admits ``msgspec.UNSET`` (looking inside ``Annotated``)."""
    if annotation is UnsetType:
        return True
    return any(_may_be_unset(arg) for arg in get_args(annotation))
