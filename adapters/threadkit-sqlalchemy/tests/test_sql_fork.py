"""A forked child (a gunicorn worker of a preloaded app) never uses its parent's connections."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.models import Identity, NewComment, RequestContext, Status

START = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)


def _draft(n: int) -> NewComment:
    return NewComment(
        thread_key="fork",
        parent_id=None,
        author=Identity("anonymous", f"f{n}", f"Forked {n}"),
        body_source=f"Comment {n}",
        body_html=f"<p>Comment {n}</p>",
        status=Status.APPROVED,
        created_at=START,
        context=RequestContext(ip=f"192.0.2.{n}"),
    )


def _in_child(check: Callable[[], bool]) -> bytes:
    """Run ``check`` in a forked child; return its answer: 0 true, 2 false, 1 it raised."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: report, then leave without running the parent's cleanup
        code = 1
        try:
            code = 0 if check() else 2
        finally:
            os.write(write, bytes([code]))
            os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.close(read)
    os.waitpid(child, 0)
    return answer


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
# Python 3.12+ warns about fork() in a process with threads (pytest-xdist's): the child
# here only posts and exits.
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork:DeprecationWarning")
def test_a_forked_child_posts_on_a_pool_of_its_own(tmp_path: Path) -> None:
    """The parent's pooled connection stays the parent's; the child connects anew and posts."""
    store = SqlCommentStore(f"sqlite:///{tmp_path}/fork.db", upgrade=True)
    try:
        store.ensure_thread("fork", now=START)
        store.add_comment(_draft(1))
        parent_pool = store.engine.pool
        assert 1 <= parent_pool.checkedin()  # type: ignore[attr-defined]

        def child_posts_on_a_new_pool() -> bool:
            fresh = store.engine.pool is not parent_pool
            empty = store.engine.pool.checkedin() == 0  # type: ignore[attr-defined]
            store.add_comment(_draft(2))
            return fresh and empty

        answer = _in_child(child_posts_on_a_new_pool)
        store.add_comment(_draft(3))  # the parent's own pooled connection still works
        thread = store.get_thread("fork")
        kept = store.engine.pool is parent_pool
    finally:
        store.close()
    assert (b"\x00", True) == (answer, kept)
    assert thread is not None
    assert 3 == thread.comment_count


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork:DeprecationWarning")
def test_a_forked_child_keeps_an_in_memory_database() -> None:
    """``sqlite://`` is its one connection: a forked child reads the copy it inherited."""
    store = SqlCommentStore("sqlite://", upgrade=True)
    try:
        store.ensure_thread("fork", now=START)
        store.add_comment(_draft(1))

        def child_reads_the_copy() -> bool:
            thread = store.get_thread("fork")
            return thread is not None and thread.comment_count == 1

        answer = _in_child(child_reads_the_copy)
    finally:
        store.close()
    assert b"\x00" == answer
