"""Races on SQLite, PostgreSQL and MariaDB: parallel clients through the engine, and migration 0002.

Each test releases its writers together with a barrier, several times over,
so a check-then-insert store would show duplicates (it did: 2 to 10 identical
comments out of 10 before the guards, see docs/sqlalchemy.md).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlstore_backends import Databases, empty_tables
from threadkit_sqlalchemy import SqlCommentStore, create_engine
from threadkit_sqlalchemy.migrate import current_revision, head_revision, main

from threadkit import Identity, Submission
from threadkit.engine import CommentEngine
from threadkit.errors import ThreadkitError
from threadkit.models import Actor, Comment, NewComment, RequestContext, Status
from threadkit.moderation import VoteLimit, default_pipeline
from threadkit.testing.capabilities import SEPARATE_PROCESSES
from threadkit.testing.suite_support import in_parallel

ROUNDS = 3


def together(workers: int, work: Callable[[int], Comment]) -> list[Comment | str]:
    """Run ``work(0..workers-1)`` in threads released at once; comments or error codes."""
    results: list[Comment | str] = ["not run"] * workers

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except ThreadkitError as error:
            results[index] = error.code

    in_parallel(workers, run)
    return results


def outcome(results: list[Comment | str]) -> list[str]:
    return sorted("stored" if isinstance(r, Comment) else r for r in results)


def engine_on(store: SqlCommentStore) -> CommentEngine:
    return CommentEngine(store, pipeline=default_pipeline(store))


def one_round(engine: CommentEngine, round_: int, kind: str) -> tuple[object, int]:
    """Release one burst of ``kind`` posts; return (what each got, comments stored).

    Each round uses its own authors, addresses and threads, so rounds never
    limit each other.
    """
    if kind == "identical":
        author = Identity("anonymous", f"double-click-{round_}", "Ada")
        keys = [f"dup-{round_}"]
        results = together(
            10,
            lambda i: engine.post(
                keys[0], Submission("Same words"), author, RequestContext(ip=f"192.0.{round_}.{i}")
            ),
        )
        return outcome(results), sum(engine.counts(keys).values())
    if kind == "one address":
        keys = [f"flood-{round_}-{i}" for i in range(4)]
        results = together(
            4,
            lambda i: engine.post(
                keys[i],
                Submission(f"words {i}"),
                Identity("anonymous", f"flood-{round_}-{i}", "F"),
                RequestContext(ip=f"203.0.113.{round_}"),
            ),
        )
        return outcome(results), sum(engine.counts(keys).values())
    author = Identity("anonymous", f"retrying-{round_}", "Ada")
    keys = [f"idem-{round_}"]
    results = together(
        10,
        lambda i: engine.post(
            keys[0],
            Submission("Hello"),
            author,
            RequestContext(ip=f"198.51.100.{round_}"),
            idempotency_key=f"key-{round_}",
        ),
    )
    ids = {r.id if isinstance(r, Comment) else r for r in results}
    return len(ids), sum(engine.counts(keys).values())


def test_ten_identical_posts_at_once_store_one(sql_store: SqlCommentStore) -> None:
    """Ten clients posting the same comment at once: one stored, nine duplicate (422).

    With flood control on (the default pipeline) each refusal is the author's
    interval (429 ``too_fast``) or, when the duplicate check is the first to
    see the stored comment, ``duplicate``: one stored either way.
    """
    plain = CommentEngine(sql_store, pipeline=default_pipeline(sql_store, flood=None))
    seen = [one_round(plain, round_, "identical") for round_ in range(ROUNDS)]
    default = one_round(engine_on(sql_store), ROUNDS, "identical")
    assert [(["duplicate"] * 9 + ["stored"], 1)] * ROUNDS == seen
    codes, stored = default
    assert (["stored"], set(), 1) == (
        [code for code in codes if code == "stored"],
        set(codes) - {"stored", "too_fast", "duplicate"},
        stored,
    )


def test_four_posts_from_one_address_at_once_store_one(sql_store: SqlCommentStore) -> None:
    """Four authors posting to four threads from one IP at once: one stored, three 429."""
    engine = engine_on(sql_store)
    seen = [one_round(engine, round_, "one address") for round_ in range(ROUNDS)]
    assert [(["stored", "too_fast", "too_fast", "too_fast"], 1)] * ROUNDS == seen


def test_ten_retries_with_one_idempotency_key_store_one(sql_store: SqlCommentStore) -> None:
    """A client sending one post ten times at once with one key: one comment, all get it."""
    engine = engine_on(sql_store)
    seen = [one_round(engine, round_, "idempotent") for round_ in range(ROUNDS)]
    assert [(1, 1)] * ROUNDS == seen


def test_twenty_five_fresh_sessions_voting_at_once_count_five(sql_store: SqlCommentStore) -> None:
    """25 new cookies from one IP upvoting one comment at once: 5 count (the default cap)."""
    engine = engine_on(sql_store)
    author = Identity("anonymous", "author", "Author")
    comment = engine.post("votes", Submission("Vote on me"), author, RequestContext(ip="192.0.2.1"))
    results = together(
        25,
        lambda i: engine.vote(
            comment.id,
            Actor(Identity("anonymous", f"fresh-{i}", "")),
            1,
            RequestContext(ip="203.0.113.200"),
        ),
    )
    assert (["stored"] * 5 + ["too_many_votes"] * 20, 5) == (
        outcome(results),
        engine.get_comment(comment.id).upvotes,
    )


PROCESSES = 4


def _race_from_process(url: str, work: str, worker: int, barrier: Any, answers: Any) -> None:
    """In a new process: wait for the others, then post the shared comment or vote once."""
    store = SqlCommentStore(url)
    engine = CommentEngine(
        store,
        pipeline=default_pipeline(store, flood=None),
        vote_steps=[VoteLimit(per_comment=2)],
    )
    try:
        target = None
        if work == "vote":
            target = store.recent(1, "processes")[0].id
        barrier.wait()
        try:
            if target is None:
                engine.post(
                    "processes",
                    Submission("Sent by every worker"),
                    Identity("anonymous", "one-browser", "Ada"),
                    RequestContext(ip=f"192.0.2.{worker}"),
                )
            else:
                engine.vote(
                    target,
                    Actor(Identity("anonymous", f"cookie-{worker}", "")),
                    1,
                    RequestContext(ip="203.0.113.99"),
                )
            answers.put("stored")
        except ThreadkitError as error:
            answers.put(error.code)
    finally:
        store.close()


def _in_processes(url: str, work: str) -> list[str]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    answers = context.Queue()
    workers = [
        context.Process(target=_race_from_process, args=(url, work, i, barrier, answers))
        for i in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    got = sorted(answers.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    return got


@pytest.mark.slow
@pytest.mark.capability(SEPARATE_PROCESSES)
def test_separate_processes_posting_and_voting_at_once(shared_url: sa.URL) -> None:
    """Four processes (as under gunicorn) post one comment at once, then vote from one IP.

    One comment is stored (three ``duplicate``) and two votes count (two
    ``too_many_votes`` under ``VoteLimit(per_comment=2)``).
    """
    url = shared_url.render_as_string(hide_password=False)
    check = create_engine(shared_url)
    empty_tables(check)
    check.dispose()
    posted = _in_processes(url, "post")
    voted = _in_processes(url, "vote")
    store = SqlCommentStore(shared_url)
    comment = store.recent(1, "processes")[0]
    comments = store.comments_by_author(comment.author.key)
    store.close()
    assert (
        ["duplicate"] * 3 + ["stored"],
        ["stored"] * 2 + ["too_many_votes"] * 2,
        1,
        2,
    ) == (posted, voted, len(comments), comment.upvotes)


def test_upgrading_a_0001_database_keeps_comments_and_votes(databases: Databases) -> None:
    """`threadkit-db upgrade` takes a database at 0001 to head; its comments and votes remain."""
    url = databases.empty()
    rendered = url.render_as_string(hide_password=False)
    assert 0 == main(["upgrade", "--url", rendered, "--revision", "0001_initial"])
    # Today's store also writes tk_threads.version (0003): lend the 0001 schema that
    # column while the old data is written, and take it away before the upgrade.
    lend = create_engine(url)
    with lend.begin() as conn:
        conn.execute(sa.text("ALTER TABLE tk_threads ADD COLUMN version BIGINT DEFAULT 0 NOT NULL"))
    old = SqlCommentStore(url, check=False)
    now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    old.ensure_thread("kept", now=now)
    author = Identity("anonymous", "old-author", "Old")
    kept = old.add_comment(
        NewComment("kept", None, author, "kept 🙂", "<p>kept 🙂</p>", Status.APPROVED, now)
    )
    with old.engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO tk_votes (comment_id, voter_key, value) VALUES (:c, 'v:1', 1)"),
            {"c": kept.id},
        )
        conn.execute(sa.text("UPDATE tk_comments SET upvotes = 1, neg_score = -1"))
    old.close()
    with lend.begin() as conn:
        conn.execute(sa.text("ALTER TABLE tk_threads DROP COLUMN version"))
    lend.dispose()
    assert 0 == main(["upgrade", "--url", rendered])
    store = SqlCommentStore(url)
    engine = CommentEngine(store)
    voted = engine.vote(
        kept.id, Actor(Identity("anonymous", "new", "")), 1, RequestContext(ip="192.0.2.5")
    )
    check = create_engine(url)
    assert (head_revision(), "kept 🙂", {kept.id: 1}, 2) == (
        current_revision(check),
        voted.body_source,
        store.votes_by("v:1"),
        voted.upvotes,
    )
    check.dispose()
    store.close()
