"""The fast encoder writes what the cattrs reference shapes say, at any depth."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from threadkit.models import Comment, Identity, SortOrder, Status, Thread
from threadkit.pages import SubtreePage, ThreadPage
from threadkit.serialization import encode_nodes, encode_page, encode_public, to_public
from threadkit.testing.strategies import TRICKY_TEXT, any_comments, any_threads, counts
from threadkit.tree import TreeNode

# ---------------------------------------------------------------- an iterative JSON decoder

_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"true|false|null|-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


def iterative_loads(text: str) -> Any:
    """Decode JSON with an explicit stack: json.loads recurses and gives up near 1000 levels."""
    open_containers: list[tuple[Any, list[str]]] = []  # (container, [pending key])

    def skip(pos: int) -> int:
        match = _SPACE.match(text, pos)
        assert match is not None
        return match.end()

    def read_key(pos: int) -> tuple[str, int]:
        assert '"' == text[pos], f"expected a key at {pos}"
        key, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
        pos = skip(pos)
        assert ":" == text[pos], f"expected ':' at {pos}"
        return key, skip(pos + 1)

    pos = skip(0)
    while True:
        char = text[pos]
        value: Any
        if char in "{[":
            container: Any = {} if char == "{" else []
            pos = skip(pos + 1)
            if text[pos] == ("}" if char == "{" else "]"):
                value, pos = container, pos + 1
            else:
                pending = [""]
                if char == "{":
                    pending[0], pos = read_key(pos)
                open_containers.append((container, pending))
                continue
        elif char == '"':
            value, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
        else:
            match = _SCALAR.match(text, pos)
            assert match is not None, f"unexpected {char!r} at {pos}"
            token = match.group()
            if token in _LITERALS:
                value = _LITERALS[token]
            else:
                value = float(token) if match.group(1) or match.group(2) else int(token)
            pos = match.end()
        while True:  # attach the value; close every container that ends here
            if not open_containers:
                assert len(text) == skip(pos), f"trailing data at {pos}"
                return value
            container, pending = open_containers[-1]
            if isinstance(container, dict):
                container[pending[0]] = value
            else:
                container.append(value)
            pos = skip(pos)
            if text[pos] == ",":
                pos = skip(pos + 1)
                if isinstance(container, dict):
                    pending[0], pos = read_key(pos)
                break
            assert text[pos] == ("}" if isinstance(container, dict) else "]"), f"bad {pos}"
            pos += 1
            open_containers.pop()
            value = container


json_documents = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(json_documents, st.sampled_from([None, 0, 2]), st.booleans())
def test_iterative_loads_agrees_with_json_loads(
    value: Any, indent: int | None, ascii_: bool
) -> None:
    """The test's own iterative decoder reads JSON exactly as json.loads does."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_)
    assert json.loads(text) == iterative_loads(text)


# ---------------------------------------------------------------- random forests

SMALL_TEXT = st.text(max_size=6) | st.sampled_from(TRICKY_TEXT)


@st.composite
def forests(draw: st.DrawFn, *, max_size: int = 12) -> list[TreeNode]:
    """Draw a forest of nodes: each comment hangs under an earlier one or at the top.

    A few random comments are reused with new ids and statuses (drawing a dozen
    full comments per example is slow and adds nothing to the tree's shape).
    """
    nodes: list[TreeNode] = []
    top: list[TreeNode] = []
    base = draw(st.lists(any_comments(text=SMALL_TEXT), min_size=1, max_size=3))
    for index in range(draw(st.integers(min_value=0, max_value=max_size))):
        comment = attrs.evolve(
            draw(st.sampled_from(base)), id=index + 1, status=draw(st.sampled_from(Status))
        )
        parent = draw(st.none() | st.sampled_from(nodes)) if nodes else None
        node = TreeNode(comment, 0 if parent is None else parent.depth + 1)
        node.more_replies = draw(counts())
        (top if parent is None else parent.children).append(node)
        nodes.append(node)
    return top


@pytest.mark.slow
@given(forests(), st.booleans())
def test_fast_nodes_decode_to_the_reference(nodes: list[TreeNode], moderator: bool) -> None:
    """For random forests the fast bytes decode to exactly the converter's reference."""
    expected = to_public(nodes, moderator=moderator)
    assert expected == json.loads(encode_nodes(nodes, moderator=moderator))


@pytest.mark.slow
@given(any_threads(), forests(), st.sampled_from(SortOrder), st.none() | st.text(), st.booleans())
def test_fast_thread_page_decodes_to_the_reference(
    thread: Thread, nodes: list[TreeNode], sort: SortOrder, cursor: str | None, moderator: bool
) -> None:
    """A whole thread page encodes to the reference shape."""
    page = ThreadPage(thread, nodes, sort, cursor)
    assert to_public(page, moderator=moderator) == json.loads(
        encode_page(page, moderator=moderator)
    )


@pytest.mark.slow
@given(any_comments(text=SMALL_TEXT), forests(), st.none() | st.text())
def test_fast_subtree_page_decodes_to_the_reference(
    parent: Comment, nodes: list[TreeNode], cursor: str | None
) -> None:
    """A subtree page encodes to the reference shape."""
    page = SubtreePage(parent, nodes, cursor)
    assert to_public(page) == json.loads(encode_page(page))


@pytest.mark.slow
@given(any_threads(), forests(), st.booleans())
def test_fast_bytes_equal_the_reference_bytes(
    thread: Thread, nodes: list[TreeNode], moderator: bool
) -> None:
    """Key order matches too, so the bytes are the reference's bytes (msgspec-encoded)."""
    page = ThreadPage(thread, nodes, SortOrder.TOP)
    expected = msgspec.json.encode(to_public(page, moderator=moderator))
    assert expected == encode_page(page, moderator=moderator)


@pytest.mark.slow
@given(forests(max_size=4))
def test_encode_public_uses_the_same_shapes(nodes: list[TreeNode]) -> None:
    """encode_public routes node lists and single nodes through the fast path, same shapes."""
    assert to_public(nodes) == json.loads(encode_public(nodes))
    for node in nodes:
        assert to_public(node) == json.loads(encode_public(node))


def test_empty_page_encodes() -> None:
    """A page with no comments is an empty comments array."""
    page = ThreadPage(Thread("k", datetime(2026, 1, 1, tzinfo=UTC)), [], SortOrder.OLDEST)
    assert [] == json.loads(encode_page(page))["comments"]


def test_fast_path_converts_other_utc_zones() -> None:
    """An aware time in another zone is written in UTC with Z, as the reference does."""
    zone = datetime(2026, 1, 1, 12, tzinfo=UTC).astimezone().tzinfo
    when = datetime(2026, 1, 1, 12, tzinfo=UTC).astimezone(zone)
    comment = Comment(
        1, "k", None, 1, 0, Identity("p", "s", "n"), "b", "b", Status.APPROVED, when, when
    )
    shape = json.loads(encode_nodes([TreeNode(comment)]))[0]
    assert ("2026-01-01T12:00:00Z", "2026-01-01T12:00:00Z") == (
        shape["created_at"],
        shape["edited_at"],
    )


@pytest.mark.parametrize("moderator", [False, True])
def test_fast_path_refuses_naive_times(moderator: bool) -> None:
    """A naive datetime raises in the fast path too, rather than being written without Z."""
    comment = Comment(
        1, "k", None, 1, 0, Identity("p", "s", "n"), "b", "b", Status.APPROVED, datetime(2026, 1, 1)
    )
    with pytest.raises(ValueError, match="naive datetime"):
        encode_nodes([TreeNode(comment)], moderator=moderator)


# ---------------------------------------------------------------- depth

DEEP = 10_000


def deep_chain(length: int) -> list[TreeNode]:
    """Build one reply chain ``length`` comments deep (no display depth limit)."""
    author = Identity("anonymous", "a", "Ann")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    top = previous = None
    for i in range(1, length + 1):
        status = Status.DELETED if i % 97 == 0 else Status.APPROVED
        comment = Comment(
            i,
            "deep",
            None if i == 1 else i - 1,
            1,
            i - 1,
            author,
            f"r{i}",
            f"<p>r{i}</p>",
            status,
            start + timedelta(seconds=i),
        )
        node = TreeNode(comment, i - 1)
        if previous is None:
            top = node
        else:
            previous.children.append(node)
        previous = node
    assert top is not None
    return [top]


def chain_of(shape: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten a decoded chain to its node shapes (replies removed), without recursion."""
    flat = []
    node: dict[str, Any] | None = shape
    while node is not None:
        replies = node["replies"]
        assert len(replies) <= 1
        flat.append({key: value for key, value in node.items() if key != "replies"})
        node = replies[0] if replies else None
    return flat


@pytest.mark.parametrize("moderator", [False, True])
def test_deep_chain_encodes_to_the_reference(moderator: bool) -> None:
    """A 10,000-deep reply chain encodes without recursion and matches the reference per node."""
    nodes = deep_chain(DEEP)
    page = ThreadPage(Thread("deep", datetime(2026, 1, 1, tzinfo=UTC)), nodes, SortOrder.OLDEST)
    decoded = iterative_loads(encode_page(page, moderator=moderator).decode())
    reference = to_public(page, moderator=moderator)  # the converter's node hook is iterative
    assert {k: v for k, v in reference.items() if k != "comments"} == {
        k: v for k, v in decoded.items() if k != "comments"
    }
    assert 1 == len(decoded["comments"])
    expected = chain_of(reference["comments"][0])
    assert DEEP == len(expected)
    assert expected == chain_of(decoded["comments"][0])


def test_deep_chain_is_beyond_what_recursive_encoders_handle() -> None:
    """The chain really is too deep for a recursive encoder (so the test above means something)."""
    shape = to_public(deep_chain(DEEP))
    with pytest.raises(RecursionError):
        msgspec.json.encode(shape)


def test_fast_encoder_accepts_nodes_it_did_not_build() -> None:
    """Nodes built by hand, with more_replies and a depth differing from comment.depth, encode."""
    comment = attrs.evolve(deep_chain(1)[0].comment, depth=9)
    node = TreeNode(comment, 2)
    node.more_replies = 4
    shape = json.loads(encode_nodes([node]))[0]
    assert (9, 2, 4, []) == (
        shape["depth"],
        shape["display_depth"],
        shape["more_replies"],
        shape["replies"],
    )
