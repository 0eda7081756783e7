"""The hot read path: a page of comments to JSON bytes, fast and at any depth.

The page's nodes are built as nested shapes from
:mod:`~threadkit.serialization.shapes` (each author encoded once, as raw
JSON) and msgspec encodes the whole page in one call: the fewest calls per
comment, and the output is written once, not copied out of a buffer.
msgspec recurses through nested shapes, so replies nested deeper than
``_NEST_LIMIT`` levels are written by an iterative writer (an explicit stack,
no recursion) and nested as ready bytes: a reply chain thousands of levels
deep meets no nesting limit. The output is
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
_LEAF_END = b","
_BRANCH_END = b"},"
_COMMA = ord(",")
_CLOSE_ARRAY = ord("]")

_NEST_LIMIT = 16
"""Levels of nodes built as nested shapes; deeper ones come as bytes.

msgspec recurses through nested shapes (two levels of Python's recursion limit
per node: its Struct and its replies), so a page encoded from deep in a call
stack stays far from that limit; display depth limits are usually 3 to 10.
"""

_Maker = Callable[..., Struct]


def _node_shapes(nodes: Sequence[TreeNode], moderator: bool, source: bool) -> list[Any]:
    """Build the shapes of ``nodes`` with their replies, nested.

    Every node with replies allocates a list that counts towards a garbage
    collection, and a full one walks the whole heap (with a big thread in
    memory, most of the time): the collector is paused meanwhile.
    """
    make = node_maker(moderator, source=source, raw_authors=True)
    built: list[Any] = []
    pause_gc()
    try:
        _nest(make, nodes, built)
    finally:
        resume_gc()
    return built


def _nest(make: _Maker, nodes: Sequence[TreeNode], into: list[Any]) -> None:
    """Build the shapes of ``nodes`` and of their replies into ``into``.

    Lists are filled in any order (each shape holds its own replies list), so
    a stack of (nodes, list, level) needs no recursion; at ``_NEST_LIMIT``
    levels a node's replies are written as bytes by :func:`_write_deep`.
    """
    work: list[tuple[Sequence[TreeNode], list[Any], int]] = [(nodes, into, 1)]
    pop, push = work.pop, work.append
    while work:
        nodes, into, level = pop()
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
    return _ENCODER.encode(_node_shapes(nodes, moderator, True))


def encode_page(
    page: ThreadPage | SubtreePage, *, moderator: bool = False, source: bool = True
) -> bytes:
    """Encode a page of a thread, or of a subtree, to JSON bytes.

    Same result as ``msgspec.json.encode(to_public(page, moderator=...))``,
    several times faster and at any depth. ``source=False`` leaves every
    comment's ``body_source`` out (a page for readers who cannot edit).
    """
    shape: Any = page_head(page, moderator)
    shape.comments = _node_shapes(page.nodes, moderator, source)
    return _ENCODER.encode(shape)
