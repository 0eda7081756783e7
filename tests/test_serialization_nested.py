"""The nested fast encoder writes the bytes of the one-node-at-a-time writer it replaced."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from unittest import mock

import attrs
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from threadkit.bans import CODE_SHADOW_BANNED
from threadkit.models import Comment, Identity, Reason, SortOrder, Status, Thread
from threadkit.pages import SubtreePage, ThreadPage
from threadkit.serialization import _build, _fast, encode_nodes, encode_page
from threadkit.testing.strategies import any_comments, any_threads, comment_forests
from threadkit.tree import Overflow, TreeNode, build_tree


def one_node_at_a_time(nodes: Sequence[TreeNode], moderator: bool, source: bool) -> bytes:
    """The reference: every node encoded on its own (authors as shapes), replies spliced in."""
    buf = bytearray()
    _fast._write_deep(buf, nodes, _build.node_maker(moderator, source=source))
    return bytes(buf)


@contextmanager
def nesting_limit(levels: int) -> Iterator[None]:
    """Nest at most ``levels`` levels of shapes (small: the bytes path runs too)."""
    with mock.patch.object(_fast, "_NEST_LIMIT", levels):
        yield


trees = st.builds(
    build_tree,
    comment_forests(max_size=30, chains=True, hidden_replies=True, rich=False),
    max_depth=st.none() | st.integers(0, 4),
    overflow=st.sampled_from(Overflow),
)
shadow_banned = Reason("bans", CODE_SHADOW_BANNED, "banned")


@st.composite
def odd_forests(draw: st.DrawFn) -> list[TreeNode]:
    """Forests of fully random comments (shadow-banned spam, other time zones), any shape."""
    base = draw(st.lists(any_comments(), min_size=1, max_size=3))
    nodes: list[TreeNode] = []
    top: list[TreeNode] = []
    for index in range(draw(st.integers(0, 10))):
        comment = attrs.evolve(
            draw(st.sampled_from(base)),
            id=index + 1,
            status=draw(st.sampled_from(Status)),
            reasons=draw(st.sampled_from(((), (shadow_banned,)))),
        )
        parent = draw(st.none() | st.sampled_from(nodes)) if nodes else None
        node = TreeNode(comment, draw(st.integers(0, 6)))
        node.more_replies = draw(st.integers(0, 5))
        (top if parent is None else parent.children).append(node)
        nodes.append(node)
    return top


@pytest.mark.slow
@given(
    trees | odd_forests(),
    st.booleans(),
    st.booleans(),
    st.integers(1, 5),
)
def test_nodes_encode_to_the_one_at_a_time_bytes(
    nodes: list[TreeNode], moderator: bool, source: bool, levels: int
) -> None:
    """Any forest, any nesting limit: the bytes of the per-node writer."""
    expected = one_node_at_a_time(nodes, moderator, source)
    with nesting_limit(levels):
        actual = msgspec.json.encode(_fast._node_shapes(nodes, moderator, source))
    assert expected == actual


@pytest.mark.slow
@given(any_threads(), trees, st.booleans(), st.booleans(), st.integers(1, 3))
def test_pages_encode_to_the_one_at_a_time_bytes(
    thread: Thread, nodes: list[TreeNode], moderator: bool, source: bool, levels: int
) -> None:
    """A thread page and a subtree page: the head, then the per-node writer's array."""
    for page in (ThreadPage(thread, nodes, SortOrder.OLDEST), SubtreePage(_parent(), nodes)):
        head = msgspec.json.encode(_build.page_head(page, moderator))
        expected = head[:-3] + one_node_at_a_time(nodes, moderator, source) + b"}"
        with nesting_limit(levels):
            assert expected == encode_page(page, moderator=moderator, source=source)


ANN = Identity("anonymous", "a", "Ann")
START = datetime(2026, 1, 1, tzinfo=UTC)


def _parent() -> Comment:
    return Comment(7, "k", None, 7, 0, ANN, "s", "h", Status.APPROVED, START)


@given(any_comments(), st.booleans(), st.booleans())
def test_node_shapes_hold_the_comment_shape(
    comment: Comment, moderator: bool, source: bool
) -> None:
    """A node's comment fields are what the comment's own shape says (one definition)."""
    node = TreeNode(comment, 3)
    node.more_replies = 2
    as_node = msgspec.to_builtins(_build.node_maker(moderator, source=source)(node))
    as_comment = msgspec.to_builtins(_build._maker(moderator, source=source)(comment))
    tree_fields = {"display_depth": 3, "more_replies": 2, "replies": []}
    assert {**as_comment, **tree_fields} == as_node
    assert list(as_comment) + list(tree_fields) == list(as_node)


def test_a_chain_past_the_nesting_limit_comes_out_whole() -> None:
    """A chain deeper than the nesting limit is written as bytes below it, in order."""
    nodes = build_tree(_chain(_fast._NEST_LIMIT * 3), max_depth=None)
    expected = one_node_at_a_time(nodes, False, True)
    assert expected == encode_nodes(nodes)


def _chain(length: int) -> list[Comment]:
    return [
        Comment(i, "k", None if i == 1 else i - 1, 1, i - 1, ANN, "s", "h", Status.APPROVED, START)
        for i in range(1, length + 1)
    ]
