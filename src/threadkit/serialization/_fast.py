"""The hot read path: a page of comments to JSON bytes, fast and at any depth.

Each top entry's subtree is built as nested shapes from
:mod:`~threadkit.serialization.shapes` (authors encoded once, as raw JSON)
and a batch of top entries goes to msgspec in one call: the fewest calls per
comment. msgspec recurses through nested shapes, so replies nested deeper
than ``_NEST_LIMIT`` levels are written by an iterative writer (an explicit
stack, no recursion) and nested as ready bytes: a reply chain thousands of
levels deep meets no nesting limit. The output is
``msgspec.json.encode(to_public(page))``, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from msgspec import Raw, Struct

from threadkit._gc import pause_gc, resume_gc
from threadkit.pages import SubtreePage, ThreadPage
from threadkit.serialization._build import node_maker, page_head
from threadkit.tree import TreeNode

__all__ = ["encode_nodes", "encode_page"]

_ENCODER = msgspec.json.Encoder()
_EMPTY_REPLIES_END = b"[]}"  # how every node built with empty replies ends
_LEAF_END = b","
_BRANCH_END = b"},"
_COMMA = ord(",")
_CLOSE_ARRAY = ord("]")

_NEST_LIMIT = 32
"""Levels of replies built as nested shapes; deeper ones come as bytes (msgspec recurses)."""
_BATCH = 4096
"""About how many nodes are built before they are encoded (a big page's memory stays small)."""

_Maker = Callable[..., Struct]


def _write_nodes(
    buf: bytearray, nodes: Sequence[TreeNode], moderator: bool, source: bool = True
) -> None:
    """Append ``nodes`` (a JSON array of node shapes) to ``buf``.

    Top entries are built with their replies in batches of about ``_BATCH``
    nodes; each batch is encoded as an array right where the previous one
    ends, its ``[`` overwriting that one's ``]`` and then turned into ``,``.
    """
    make = node_maker(moderator, source=source, raw_authors=True)
    encode_into = _ENCODER.encode_into
    batch: list[Struct] = []
    built = 0
    opened = False  # whether buf holds the array's start already
    for top in nodes:
        children = top.children
        if children:
            replies: list[Struct] = []
            batch.append(make(top, replies))
            built += _nest(make, children, replies)
        else:
            batch.append(make(top))
        built += 1
        if built >= _BATCH:
            if opened:
                end = len(buf) - 1
                encode_into(batch, buf, end)
                buf[end] = _COMMA
            else:
                encode_into(batch, buf, -1)
                opened = True
            batch = []
            built = 0
    if not opened:
        encode_into(batch, buf, -1)
    elif batch:
        end = len(buf) - 1
        encode_into(batch, buf, end)
        buf[end] = _COMMA


def _nest(make: _Maker, children: list[TreeNode], into: list[Any]) -> int:
    """Build the shapes of ``children`` and their replies into ``into``; return how many.

    Lists are filled in any order (each shape holds its own replies list), so
    a stack of (nodes, list, level) needs no recursion; from ``_NEST_LIMIT``
    levels down a node's replies are written as bytes by :func:`_write_deep`.
    """
    built = 0
    work: list[tuple[list[TreeNode], list[Any], int]] = [(children, into, 1)]
    pop, push = work.pop, work.append
    while work:
        nodes, into, level = pop()
        built += len(nodes)
        add = into.append
        if level < _NEST_LIMIT:
            deeper = level + 1
            for node in nodes:
                if node.children:
                    replies: list[Any] = []
                    add(make(node, replies))
                    push((node.children, replies, deeper))
                else:
                    add(make(node))
        else:
            for node in nodes:
                if node.children:
                    deep = bytearray()
                    _write_deep(deep, node.children, make)
                    add(make(node, Raw(deep)))
                else:
                    add(make(node))
    return built


def _write_deep(buf: bytearray, nodes: Sequence[TreeNode], make: _Maker) -> None:
    """Append ``nodes`` (a JSON array of node shapes) to ``buf``, depth-first, no recursion.

    One node at a time, each built with empty replies: every node is written
    with a trailing comma; closing an array turns the last comma into ``]``
    (an empty array can only be the outermost one).
    """
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
            del buf[-2:]  # keep the "[" of "replies":[]}; the replies and "]}" follow
            stack.append(iter(node.children))
        else:
            buf += _LEAF_END


def encode_nodes(nodes: Sequence[TreeNode], *, moderator: bool = False) -> bytes:
    """Encode a list of tree nodes to a JSON array of node shapes.

    >>> encode_nodes([])
    b'[]'
    """
    buf = bytearray()
    _write_nodes(buf, nodes, moderator)
    return bytes(buf)


def encode_page(
    page: ThreadPage | SubtreePage, *, moderator: bool = False, source: bool = True
) -> bytes:
    """Encode a page of a thread, or of a subtree, to JSON bytes.

    Same result as ``msgspec.json.encode(to_public(page, moderator=...))``,
    several times faster and at any depth. ``source=False`` leaves every
    comment's ``body_source`` out (a page for readers who cannot edit).
    """
    buf = bytearray()
    _ENCODER.encode_into(page_head(page, moderator), buf, -1)
    del buf[-len(_EMPTY_REPLIES_END) :]  # the head ends with "comments":[]}
    # Every node with replies allocates a list that counts towards a collection, and a
    # full one walks the whole heap (with a big thread in memory, most of the time).
    pause_gc()
    try:
        _write_nodes(buf, page.nodes, moderator, source)
    finally:
        resume_gc()
    buf += b"}"
    return bytes(buf)
