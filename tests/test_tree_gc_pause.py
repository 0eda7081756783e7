"""Tree nodes and the GC: pauses that threads share, nodes it never tracks, nodes encoded safely."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from threadkit import _gc
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


def test_an_old_pause_is_not_extended(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call that finds a pause older than the bound runs inside it without extending it."""
    pause_gc()
    monkeypatch.setattr(_gc, "MAX_SHARED_PAUSE", 0.0)  # every pause is already too old
    pause_gc()  # does not join
    assert not gc.isenabled()
    resume_gc()  # the call that did not join: the pause goes on
    assert not gc.isenabled()
    resume_gc()  # the one that paused: on again
    assert gc.isenabled()


class _RecordingCollector:
    """The ``gc`` module as ``threadkit._gc`` sees it, noting when it is turned off and on."""

    def __init__(self) -> None:
        self.turned: list[tuple[str, float]] = []

    def isenabled(self) -> bool:
        return gc.isenabled()

    def disable(self) -> None:
        self.turned.append(("off", time.monotonic()))
        gc.disable()

    def enable(self) -> None:
        self.turned.append(("on", time.monotonic()))
        gc.enable()


def test_threads_pausing_back_to_back_do_not_keep_the_collector_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Overlapping pauses in a loop (a threaded server under load): no pause outlives the bound."""
    recorder = _RecordingCollector()
    monkeypatch.setattr(_gc, "gc", recorder)
    monkeypatch.setattr(_gc, "MAX_SHARED_PAUSE", 0.05)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            pause_gc()
            try:
                stop.wait(0.01)  # a build; the other threads' pauses start meanwhile
            finally:
                resume_gc()

    threads = [threading.Thread(target=busy) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(10)
    offs = [t for kind, t in recorder.turned if kind == "off"]
    ons = [t for kind, t in recorder.turned if kind == "on"]
    assert len(offs) == len(ons) >= 3, recorder.turned[:10]
    longest = max(on - off for off, on in zip(offs, ons, strict=True))
    # Joining stops 0.05 s into a pause and a joined call lasts about 0.01 s more; the
    # slack is for a busy machine. Without the bound one pause would last the whole second.
    assert longest < 0.5, f"the collector stayed off {longest:.2f} s"
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
