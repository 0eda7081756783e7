"""One subscription per (thread, address), even when posts race on SQLite, PostgreSQL, MariaDB.

The unique constraint decides (not a read before the insert): every racing
post is stored, and the address has one row, the first comment's, pending for
an anonymous address, confirmed when a verified identity asked.
"""

from __future__ import annotations

from threadkit_sqlalchemy import SqlCommentStore

from threadkit import Identity, Submission
from threadkit.engine import CommentEngine
from threadkit.models import Comment, RequestContext
from threadkit.testing.suite_support import in_parallel

ROUNDS = 3
WRITERS = 6


def _race(store: SqlCommentStore, key: str, email: str, *, verified: bool) -> list[Comment]:
    """Post WRITERS comments asking for thread emails with one address, all released at once."""
    engine = CommentEngine(store)
    engine.post(key, Submission("Opening"), Identity("anonymous", "host", "Host"))
    posted: list[Comment | None] = [None] * WRITERS

    def post(index: int) -> None:
        who = Identity("github" if verified else "anonymous", f"{key}-{index}", "Ada", email=email,
                       verified=verified)  # fmt: skip
        context = RequestContext(ip=f"198.51.100.{index}")
        posted[index] = engine.post(
            key, Submission(f"Me {index}", notify_thread=True), who, context
        )

    in_parallel(WRITERS, post)
    return [c for c in posted if c is not None]


def test_racing_anonymous_posts_store_one_pending_subscription(sql_store: SqlCommentStore) -> None:
    """Each round: all posts stored, one pending row, made by one of the racing comments."""
    for round_ in range(ROUNDS):
        email = f"ada{round_}@example.org"
        posted = _race(sql_store, f"race-{round_}", f"Ada{round_}@Example.org", verified=False)
        rows = sql_store.subscriptions_of(email=email)
        assert (WRITERS, 1) == (len(posted), len(rows))
        assert rows[0].comment_id in {c.id for c in posted}
        assert (False, []) == (rows[0].confirmed, sql_store.thread_subscriptions(f"race-{round_}"))


def test_racing_verified_posts_store_one_active_subscription(sql_store: SqlCommentStore) -> None:
    """Verified racers: all posts stored, the address subscribed (and listed) once."""
    for round_ in range(ROUNDS):
        key = f"verified-race-{round_}"
        posted = _race(sql_store, key, f"zoe{round_}@example.org", verified=True)
        found = sql_store.thread_subscriptions(key)
        assert (WRITERS, [f"zoe{round_}@example.org"]) == (len(posted), [s.email for s in found])
