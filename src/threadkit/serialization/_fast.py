"""The hot read path: a page of comments to JSON bytes, fast and at any depth.

msgspec encodes each node's flat fields (a ``msgspec.Struct`` per comment,
authors shared); this module writes the ``"replies":[...]`` brackets itself
while walking the tree with an explicit stack, so a reply chain thousands of
levels deep needs no recursion and meets no nesting limit. The output decodes
to exactly what the cattrs converters in ``_shapes`` produce.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import msgspec

from threadkit.models import Comment, Identity, SortOrder, Status, Thread, utc
from threadkit.pages import SubtreePage, ThreadPage
from threadkit.tree import TreeNode

__all__ = ["encode_nodes", "encode_page"]


class _Author(msgspec.Struct, gc=False):
    provider: str
    name: str
    url: str | None
    avatar: str | None
    verified: bool


class _ModeratorAuthor(msgspec.Struct, gc=False):
    provider: str
    name: str
    email: str | None
    url: str | None
    avatar: str | None
    verified: bool


class _Node(msgspec.Struct, gc=False):
    id: int
    thread: str
    parent_id: int | None
    root_id: int
    depth: int
    status: Status
    author: _Author | _ModeratorAuthor
    body_html: str
    body_source: str
    created_at: datetime
    edited_at: datetime | None
    upvotes: int
    downvotes: int
    score: int
    reply_count: int
    display_depth: int
    more_replies: int


class _Context(msgspec.Struct, gc=False):
    ip: str
    user_agent: str
    referrer: str
    language: str


class _Reason(msgspec.Struct, gc=False):
    step: str
    code: str
    message: str


class _ModeratorNode(msgspec.Struct, gc=False):
    id: int
    thread: str
    parent_id: int | None
    root_id: int
    depth: int
    status: Status
    author: _ModeratorAuthor
    body_html: str
    body_source: str
    created_at: datetime
    edited_at: datetime | None
    upvotes: int
    downvotes: int
    score: int
    reply_count: int
    context: _Context
    reasons: list[_Reason]
    display_depth: int
    more_replies: int


class _Placeholder(msgspec.Struct, gc=False):
    id: int
    thread: str
    parent_id: int | None
    root_id: int
    depth: int
    status: Status
    author: None
    body_html: str
    body_source: str
    created_at: datetime
    reply_count: int
    display_depth: int
    more_replies: int


class _Thread(msgspec.Struct, gc=False):
    key: str
    title: str
    url: str
    closed: bool
    comment_count: int
    top_level_count: int
    created_at: datetime


class _ThreadHead(msgspec.Struct, gc=False):
    thread: _Thread
    sort: SortOrder
    next_cursor: str | None


class _SubtreeHead(msgspec.Struct, gc=False):
    parent_id: int
    next_cursor: str | None


_ENCODER = msgspec.json.Encoder()
_DELETED = Status.DELETED
_LEAF_END = b',"replies":[]},'
_BRANCH_START = b',"replies":['
_BRANCH_END = b"},"
_COMMA = ord(",")
_CLOSE_ARRAY = ord("]")


def _in_utc(moment: datetime) -> datetime:
    """Return ``moment`` with the ``datetime.UTC`` zone, so msgspec writes ``Z``."""
    return moment if moment.tzinfo is UTC else utc(moment)


def _placeholder(node: TreeNode, comment: Comment) -> _Placeholder:
    """Build the fields of a deleted comment's placeholder node."""
    return _Placeholder(
        comment.id,
        comment.thread_key,
        comment.parent_id,
        comment.root_id,
        comment.depth,
        _DELETED,
        None,
        "",
        "",
        _in_utc(comment.created_at),
        comment.reply_count,
        node.depth,
        node.more_replies,
    )


def _public_maker() -> Callable[[TreeNode], msgspec.Struct]:
    """Make the per-node function for the public shape (authors built once per call)."""
    authors: dict[int, _Author] = {}

    def make(node: TreeNode) -> msgspec.Struct:
        comment = node.comment
        if comment.status is _DELETED:
            return _placeholder(node, comment)
        identity = comment.author
        author = authors.get(id(identity))
        if author is None:
            author = authors[id(identity)] = _Author(
                identity.provider, identity.name, identity.url, identity.avatar, identity.verified
            )
        created = comment.created_at
        if created.tzinfo is not UTC:
            created = utc(created)
        edited = comment.edited_at
        if edited is not None and edited.tzinfo is not UTC:
            edited = utc(edited)
        upvotes = comment.upvotes
        downvotes = comment.downvotes
        return _Node(
            comment.id,
            comment.thread_key,
            comment.parent_id,
            comment.root_id,
            comment.depth,
            comment.status,
            author,
            comment.body_html,
            comment.body_source,
            created,
            edited,
            upvotes,
            downvotes,
            upvotes - downvotes,
            comment.reply_count,
            node.depth,
            node.more_replies,
        )

    return make


def _moderator_author(identity: Identity) -> _ModeratorAuthor:
    """Build the author as a moderator sees it: with the email."""
    return _ModeratorAuthor(
        identity.provider,
        identity.name,
        identity.email,
        identity.url,
        identity.avatar,
        identity.verified,
    )


def _moderator_node(node: TreeNode) -> msgspec.Struct:
    """Build the fields of one node in the moderator view."""
    comment = node.comment
    if comment.status is _DELETED:
        return _placeholder(node, comment)
    context = comment.context
    edited = comment.edited_at
    return _ModeratorNode(
        comment.id,
        comment.thread_key,
        comment.parent_id,
        comment.root_id,
        comment.depth,
        comment.status,
        _moderator_author(comment.author),
        comment.body_html,
        comment.body_source,
        _in_utc(comment.created_at),
        None if edited is None else _in_utc(edited),
        comment.upvotes,
        comment.downvotes,
        comment.score,
        comment.reply_count,
        _Context(context.ip, context.user_agent, context.referrer, context.language),
        [_Reason(reason.step, reason.code, reason.message) for reason in comment.reasons],
        node.depth,
        node.more_replies,
    )


def _write_nodes(buf: bytearray, nodes: Sequence[TreeNode], moderator: bool) -> None:
    """Append ``nodes`` (a JSON array of node shapes) to ``buf``, depth-first, no recursion.

    Every node is written with a trailing comma; closing an array turns the
    last comma into ``]`` (an empty array can only be the outermost one).
    """
    make = _moderator_node if moderator else _public_maker()
    encode_into = _ENCODER.encode_into
    buf += b"["
    stack = [iter(nodes)]  # one iterator per array being written
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            if buf[-1] == _COMMA:
                buf[-1] = _CLOSE_ARRAY
            else:
                buf.append(_CLOSE_ARRAY)
            if stack:
                buf += _BRANCH_END  # close the node whose replies these were
            continue
        encode_into(make(node), buf, -1)
        if node.children:
            buf[-1:] = _BRANCH_START  # the struct's closing "}" comes after the replies
            stack.append(iter(node.children))
        else:
            buf[-1:] = _LEAF_END


def encode_nodes(nodes: Sequence[TreeNode], *, moderator: bool = False) -> bytes:
    """Encode a list of tree nodes to a JSON array of node shapes.

    >>> encode_nodes([])
    b'[]'
    """
    buf = bytearray()
    _write_nodes(buf, nodes, moderator)
    return bytes(buf)


def _thread(thread: Thread) -> _Thread:
    """Build the fields of a thread's shape."""
    return _Thread(
        thread.key,
        thread.title,
        thread.url,
        thread.closed,
        thread.comment_count,
        thread.top_level_count,
        _in_utc(thread.created_at),
    )


def encode_page(page: ThreadPage | SubtreePage, *, moderator: bool = False) -> bytes:
    """Encode a page of a thread, or of a subtree, to JSON bytes.

    Same result as ``msgspec.json.encode(converter.unstructure(page))`` with the
    public (or moderator) converter, about ten times faster and at any depth.
    """
    head: msgspec.Struct
    if isinstance(page, ThreadPage):
        head = _ThreadHead(_thread(page.thread), page.sort, page.next_cursor)
    else:
        head = _SubtreeHead(page.parent.id, page.next_cursor)
    buf = bytearray()
    _ENCODER.encode_into(head, buf, -1)
    buf[-1:] = b',"comments":'
    _write_nodes(buf, page.nodes, moderator)
    buf += b"}"
    return bytes(buf)
