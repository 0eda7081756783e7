"""Tree nodes and the GC: pauses that threads share, nodes it never tracks, nodes encoded safely."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from threadkit._gc import pause_gc, resume_gc
from threadkit.models import Comment, Identity, SortOrder, Status, Thread
from threadkit.pages import ThreadPage
from threadkit.serialization import encode_page, encode_public
from threadkit.tree import TreeNode, build_tree


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    """Every test starts with the collector on and leaves it on."""
    gc.enable()
    yield
    gc.enable()


def test_nested_pauses_resume_at_the_last() -> None:
    """Overlapping pauses: the collector comes back on only when the last one ends."""
    pause_gc()
    pause_gc()
    resume_gc()
    assert not gc.isenabled()
    resume_gc()
    assert gc.isenabled()


def test_a_collector_turned_off_stays_off() -> None:
    """If the application turned the collector off, a pause does not turn it on."""
    gc.disable()
    pause_gc()
    resume_gc()
    assert not gc.isenabled()


def test_one_thread_does_not_end_another_threads_pause() -> None:
    """Thread A pauses, B pauses, A ends: still paused for B; B ends: on again."""
    a_paused, b_paused, a_done = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def a() -> None:
        pause_gc()
        a_paused.set()
        b_paused.wait(5)
        resume_gc()
        a_done.set()

    def b() -> None:
        a_paused.wait(5)
        pause_gc()
        b_paused.set()
        a_done.wait(5)
        seen.append(gc.isenabled())
        resume_gc()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert [False] == seen
    assert gc.isenabled()


def test_build_and_encode_leave_the_collector_on() -> None:
    """A build and an encode, even one that raises, leave the collector as they found it."""
    naive = Comment(
        1, "k", None, 1, 0, Identity("p", "s", "n"), "b", "b", Status.APPROVED, datetime(2026, 1, 1)
    )
    nodes = build_tree([naive])
    assert gc.isenabled()
    page = ThreadPage(
        Thread("k", datetime(2026, 1, 1, tzinfo=UTC)), [TreeNode(naive)], SortOrder.OLDEST
    )
    with pytest.raises(ValueError, match="naive"):
        encode_page(page)
    assert gc.isenabled()
    assert 1 == len(nodes)


def test_nodes_are_not_tracked_and_compare_by_identity() -> None:
    """Built nodes stay out of the collector's lists; equal fields do not make nodes equal."""
    comment = Comment(
        1, "k", None, 1, 0, Identity("p", "s", "n"), "b", "b", Status.APPROVED,
        datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    node = build_tree([comment])[0]
    assert not gc.is_tracked(node)
    assert node != TreeNode(comment)
    assert [node] == [node]


def test_a_node_encodes_only_its_public_shape() -> None:
    """encode_public of a node (a Struct itself) writes the public shape, never the email."""
    author = Identity("p", "s", "n", email="private@example.org")
    comment = Comment(
        1, "k", None, 1, 0, author, "b", "b", Status.APPROVED, datetime(2026, 1, 1, tzinfo=UTC)
    )
    node = TreeNode(comment)
    assert encode_public([node])[1:-1] == encode_public(node)
    assert b"private@example.org" not in encode_public(node)
    assert b"private@example.org" in encode_public(node, moderator=True)
