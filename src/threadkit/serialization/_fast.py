"""The hot read path: a page of comments to JSON bytes, fast and at any depth.

msgspec encodes each node's Struct from :mod:`~threadkit.serialization.shapes`
with empty ``replies`` (authors shared); this module writes the replies into
those brackets itself while walking the tree with an explicit stack, so a
reply chain thousands of levels deep needs no recursion and meets no nesting
limit. The output is ``msgspec.json.encode(to_public(page))``, byte for byte.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence

import msgspec

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


def _write_nodes(
    buf: bytearray, nodes: Sequence[TreeNode], moderator: bool, source: bool = True
) -> None:
    """Append ``nodes`` (a JSON array of node shapes) to ``buf``, depth-first, no recursion.

    Every node is written with a trailing comma; closing an array turns the
    last comma into ``]`` (an empty array can only be the outermost one).
    """
    make = node_maker(moderator, source=source)
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
    enabled = gc.isenabled()
    # Every node allocates short-lived tuples that count towards a collection, and a
    # full one walks the whole heap (with a big thread in memory, most of the time).
    gc.disable()
    try:
        _write_nodes(buf, page.nodes, moderator, source)
    finally:
        if enabled:
            gc.enable()
    buf += b"}"
    return bytes(buf)
