"""The engine's rules, exercised through the in-memory store."""

from __future__ import annotations

import pytest

from threadkit import (
    Actor,
    AuthenticationRequiredError,
    Candidate,
    Comment,
    ConflictError,
    EventKind,
    Identity,
    InvalidParentError,
    NotFoundError,
    OutboxMessage,
    PermissionDeniedError,
    RateLimitedError,
    RejectedError,
    RequestContext,
    SortOrder,
    Status,
    Submission,
    ThreadClosedError,
    ValidationError,
    Verdict,
)
from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, Decision, EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.moderation import Pipeline
from threadkit.tree import Overflow, TreeNode, walk

ADA = Identity("anonymous", "browser-ada", "Ada", email="ada@example.org")
BOB = Identity("anonymous", "browser-bob", "Bob")
MOD = Identity("site", "1", "Moderator Mia", verified=True)


def ids(nodes: list[TreeNode]) -> list[int]:
    return [node.comment.id for node in walk(nodes)]


class HoldWord:
    """A step that holds comments containing a word (and records what it learns)."""

    name = "hold-word"

    def __init__(self, word: str) -> None:
        self.word = word
        self.learned: list[tuple[int, bool]] = []

    def check(self, candidate: Candidate) -> Verdict:
        if self.word in candidate.body:
            return Verdict.hold(self.name, "word", f"Contains {self.word!r}.")
        return Verdict.accept()

    def learn(self, comment: Comment, is_spam: bool) -> None:
        self.learned.append((comment.id, is_spam))


class RecordingNotifier:
    """A notifier that wants every event; delivery is not exercised here."""

    channel = "record"

    def wants(self, kind: EventKind, comment: Comment) -> bool:
        return True

    def deliver(self, message: OutboxMessage, comment: Comment | None) -> None:
        raise AssertionError("not delivered in these tests")


@pytest.fixture
def hold() -> HoldWord:
    return HoldWord("casino")


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def engine(store: MemoryStore, clock: ManualClock, hold: HoldWord) -> CommentEngine:
    return CommentEngine(
        store, pipeline=Pipeline([hold]), clock=clock, notifiers=[RecordingNotifier()]
    )


def post(
    engine: CommentEngine, body: str, who: Identity = ADA, parent: int | None = None
) -> Comment:
    return engine.post("post-1", Submission(body, parent_id=parent), who)


# ---------------------------------------------------------------- posting


def test_post_creates_thread_and_counts_it(engine: CommentEngine) -> None:
    """The first comment creates its thread, and the thread counts it."""
    comment = post(engine, "Hello *world*")
    thread = engine.get_thread("post-1")
    assert (Status.APPROVED, 1, 1) == (comment.status, thread.comment_count, thread.top_level_count)
    assert "<em>world</em>" in comment.body_html


def test_reply_nests_under_parent(engine: CommentEngine) -> None:
    """A reply records its parent, root and depth."""
    first = post(engine, "Top")
    reply = post(engine, "Thanks", BOB, first.id)
    deeper = post(engine, "Thanks David", ADA, reply.id)
    assert (first.id, first.id, 2) == (deeper.root_id, reply.parent_id, deeper.depth)
    assert [first.id, reply.id, deeper.id] == ids(engine.page("post-1").nodes)


@pytest.mark.parametrize("parent_id", [999, 0, -3])
def test_reply_to_unknown_parent_is_refused(engine: CommentEngine, parent_id: int) -> None:
    """Replying to a comment that does not exist names the field at fault."""
    with pytest.raises(InvalidParentError) as caught:
        post(engine, "Hi", parent=parent_id)
    assert "parent_id" == caught.value.field


def test_reply_across_threads_is_refused(engine: CommentEngine) -> None:
    """A reply must stay in its parent's thread."""
    other = engine.post("post-2", Submission("Elsewhere"), ADA)
    with pytest.raises(InvalidParentError):
        post(engine, "Hi", parent=other.id)


def test_reply_to_pending_comment_is_refused(engine: CommentEngine) -> None:
    """Only published comments can be replied to."""
    held = post(engine, "casino bonus")
    with pytest.raises(InvalidParentError) as caught:
        post(engine, "Hi", BOB, held.id)
    assert "parent_not_visible" == caught.value.code


def test_closed_thread_refuses_posts_but_not_moderators(engine: CommentEngine) -> None:
    """Closing a thread stops readers posting; moderators still can."""
    post(engine, "Open for now")
    engine.close_thread("post-1", Actor(MOD, moderator=True))
    with pytest.raises(ThreadClosedError):
        post(engine, "Too late")
    by_mod = engine.post("post-1", Submission("Closing remarks"), MOD, moderator=True)
    assert Status.APPROVED == by_mod.status


def test_only_moderators_close_threads(engine: CommentEngine) -> None:
    """Closing a thread is a moderator's action."""
    post(engine, "Hi")
    with pytest.raises(PermissionDeniedError):
        engine.close_thread("post-1", Actor(ADA))


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "empty_body"),
        ("   \n", "empty_body"),
        ("a\x00b", "invalid_body"),
        ("x" * 70_000, "body_too_large"),
    ],
)
def test_bad_bodies_are_refused_with_a_field(engine: CommentEngine, body: str, code: str) -> None:
    """Empty, NUL-carrying and oversized bodies are refused before anything is stored."""
    with pytest.raises(ValidationError) as caught:
        post(engine, body)
    assert (code, "body") == (caught.value.code, caught.value.field)
    assert (
        engine.store.get_thread("post-1") is None or 0 == engine.get_thread("post-1").comment_count
    )


def test_body_at_byte_limit_is_accepted(store: MemoryStore, clock: ManualClock) -> None:
    """A body exactly at the byte limit is stored unchanged; one byte more is refused."""
    engine = CommentEngine(store, clock=clock, policy=EnginePolicy(max_body_bytes=8))
    assert "🙂🙂" == engine.post("t", Submission("🙂🙂"), ADA).body_source
    with pytest.raises(ValidationError):
        engine.post("t", Submission("🙂🙂a"), ADA)


@pytest.mark.parametrize("key", ["", " ", "a\nb", "x" * 201])
def test_bad_thread_keys_are_refused(engine: CommentEngine, key: str) -> None:
    """Thread keys are non-empty, short and free of control characters."""
    with pytest.raises(ValidationError) as caught:
        engine.post(key, Submission("Hi"), ADA)
    assert "thread" == caught.value.field


def test_held_comment_keeps_reasons(engine: CommentEngine) -> None:
    """A held comment is pending and says why."""
    held = post(engine, "casino bonus")
    assert (Status.PENDING, ("hold-word",)) == (held.status, tuple(r.step for r in held.reasons))
    assert 0 == engine.get_thread("post-1").comment_count


def test_rejecting_step_raises_with_reason(store: MemoryStore, clock: ManualClock) -> None:
    """A rejecting verdict stores nothing and raises with the step's code."""

    class NoLinks:
        name = "no-links"

        def check(self, candidate: Candidate) -> Verdict:
            return Verdict.reject(self.name, "body_links", "No links, please.")

    engine = CommentEngine(store, pipeline=Pipeline([NoLinks()]), clock=clock)
    with pytest.raises(RejectedError) as caught:
        engine.post("t", Submission("http://x"), ADA)
    assert ("body_links", "body") == (caught.value.code, caught.value.field)
    assert [] == store.comments_by_author(ADA.key)


def test_flood_rejection_carries_retry_after(store: MemoryStore, clock: ManualClock) -> None:
    """A rejection with retry_after becomes RateLimitedError."""

    class Flood:
        name = "flood"

        def check(self, candidate: Candidate) -> Verdict:
            return Verdict.reject(self.name, "flood", "Slow down.", retry_after=12.0)

    engine = CommentEngine(store, pipeline=Pipeline([Flood()]), clock=clock)
    with pytest.raises(RateLimitedError) as caught:
        engine.post("t", Submission("hi"), ADA)
    assert 12.0 == caught.value.retry_after


def test_posting_queues_notices(engine: CommentEngine, clock: ManualClock) -> None:
    """Each write queues one outbox message per interested notifier, with the right kind."""
    ok = post(engine, "fine")
    held = post(engine, "casino")
    messages = engine.store.claim_outbox(now=clock.now(), limit=10, lease_seconds=30)
    assert {(ok.id, EventKind.POSTED), (held.id, EventKind.HELD)} == {
        (m.comment_id, m.kind) for m in messages
    }


# ---------------------------------------------------------------- visibility


def test_pending_is_seen_only_by_author_and_moderators(engine: CommentEngine) -> None:
    """Held comments show to their author and moderators, nobody else."""
    visible = post(engine, "Fine")
    held = post(engine, "casino")
    assert [visible.id] == ids(engine.page("post-1", Actor(BOB)).nodes)
    assert [visible.id, held.id] == ids(engine.page("post-1", Actor(ADA)).nodes)
    assert [visible.id, held.id] == ids(engine.page("post-1", Actor(MOD, moderator=True)).nodes)
    with pytest.raises(NotFoundError):
        engine.get_comment(held.id, Actor(BOB))


def test_unknown_thread_page_is_not_found(engine: CommentEngine) -> None:
    """Reading a thread that does not exist is a 404, not an empty page."""
    with pytest.raises(NotFoundError):
        engine.page("nope")


def test_pages_walk_the_whole_thread(engine: CommentEngine) -> None:
    """Following next_cursor visits every top-level comment once, in order."""
    made = [post(engine, f"c{i}").id for i in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        page = engine.page("post-1", cursor=cursor, top_limit=3)
        seen += [n.comment.id for n in page.nodes]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert made == seen
    newest = engine.page("post-1", sort=SortOrder.NEWEST, top_limit=2)
    assert made[::-1][:2] == [n.comment.id for n in newest.nodes]


def test_subtree_returns_more_replies(engine: CommentEngine) -> None:
    """A subtree page holds the replies under one comment."""
    top = post(engine, "Top")
    replies = [post(engine, f"r{i}", BOB, top.id).id for i in range(3)]
    page = engine.subtree(top.id, total_limit=2)
    assert replies[:2] == ids(page.nodes)
    assert page.next_cursor is not None
    rest = engine.subtree(top.id, cursor=page.next_cursor)
    assert replies[2:] == ids(rest.nodes)


@pytest.mark.parametrize("limit", [0, -1])
def test_bad_page_limits_are_refused(engine: CommentEngine, limit: int) -> None:
    """Page limits must be positive."""
    post(engine, "x")
    with pytest.raises(ValidationError):
        engine.page("post-1", top_limit=limit)


# ---------------------------------------------------------------- editing and deleting


def test_author_edits_within_window(engine: CommentEngine, clock: ManualClock) -> None:
    """The author may edit for 15 minutes; the comment records when."""
    comment = post(engine, "Helo")
    clock.advance(minutes=5)
    edited = engine.edit(comment.id, "Hello", Actor(ADA))
    assert ("Hello", clock.now()) == (edited.body_source, edited.edited_at)


def test_edit_after_window_is_a_conflict(engine: CommentEngine, clock: ManualClock) -> None:
    """After the window the author can no longer edit; a moderator still can."""
    comment = post(engine, "Helo")
    clock.advance(minutes=16)
    with pytest.raises(ConflictError) as caught:
        engine.edit(comment.id, "Hello", Actor(ADA))
    assert "edit_window_closed" == caught.value.code
    assert "Hello" == engine.edit(comment.id, "Hello", Actor(MOD, moderator=True)).body_source


def test_others_cannot_edit_or_delete(engine: CommentEngine) -> None:
    """Only the author (or a moderator) may change a comment."""
    comment = post(engine, "Mine")
    with pytest.raises(PermissionDeniedError):
        engine.edit(comment.id, "Yours", Actor(BOB))
    with pytest.raises(PermissionDeniedError):
        engine.delete(comment.id, Actor(BOB))
    with pytest.raises(AuthenticationRequiredError):
        engine.delete(comment.id, Actor())


def test_edit_runs_the_pipeline_again(engine: CommentEngine) -> None:
    """An approved comment edited into spam goes back to the queue."""
    comment = post(engine, "Nice post")
    edited = engine.edit(comment.id, "Nice casino", Actor(ADA))
    assert Status.PENDING == edited.status
    assert 0 == engine.get_thread("post-1").comment_count


def test_deleting_a_leaf_removes_it(engine: CommentEngine) -> None:
    """A comment without replies disappears and stops being counted."""
    comment = post(engine, "Oops")
    assert engine.delete(comment.id, Actor(ADA)) is None
    assert engine.store.get_comment(comment.id) is None
    assert 0 == engine.get_thread("post-1").comment_count


def test_deleting_a_parent_leaves_a_placeholder(engine: CommentEngine) -> None:
    """Replies keep their place under a 'comment deleted' placeholder."""
    top = post(engine, "Top")
    reply = post(engine, "Reply", BOB, top.id)
    placeholder = engine.delete(top.id, Actor(ADA))
    assert placeholder is not None
    assert (Status.DELETED, "", "") == (
        placeholder.status,
        placeholder.body_source,
        placeholder.author.name,
    )
    assert [top.id, reply.id] == ids(engine.page("post-1").nodes)
    assert 1 == engine.get_thread("post-1").comment_count


def test_last_reply_gone_takes_placeholder_with_it(engine: CommentEngine) -> None:
    """When a placeholder's last reply is deleted, the placeholder goes too."""
    top = post(engine, "Top")
    reply = post(engine, "Reply", BOB, top.id)
    engine.delete(top.id, Actor(ADA))
    engine.delete(reply.id, Actor(BOB))
    assert (None, None) == (engine.store.get_comment(top.id), engine.store.get_comment(reply.id))
    assert [] == engine.page("post-1").nodes


# ---------------------------------------------------------------- moderation


def test_moderator_approves_held_comment(engine: CommentEngine) -> None:
    """Approving publishes the comment and counts it."""
    held = post(engine, "casino")
    approved = engine.moderate(held.id, Decision.APPROVE, Actor(MOD, moderator=True))
    assert approved is not None
    assert (Status.APPROVED, 1) == (approved.status, engine.get_thread("post-1").comment_count)


def test_spam_and_ham_teach_learning_steps(engine: CommentEngine, hold: HoldWord) -> None:
    """Marking spam, and rescuing spam, reaches the learning steps."""
    mod = Actor(MOD, moderator=True)
    comment = post(engine, "Buy now")
    engine.moderate(comment.id, Decision.SPAM, mod)
    engine.moderate(comment.id, Decision.HAM, mod)
    assert [(comment.id, True), (comment.id, False)] == hold.learned


def test_failing_learner_does_not_undo_decision(store: MemoryStore, clock: ManualClock) -> None:
    """A learning step that raises is logged; the moderator's decision stands."""

    class Broken(HoldWord):
        def learn(self, comment: Comment, is_spam: bool) -> None:
            raise OSError("service down")

    engine = CommentEngine(store, pipeline=Pipeline([Broken("x")]), clock=clock)
    comment = engine.post("t", Submission("hello"), ADA)
    marked = engine.moderate(comment.id, Decision.SPAM, Actor(MOD, moderator=True))
    assert marked is not None
    assert Status.SPAM == marked.status


def test_readers_cannot_moderate(engine: CommentEngine) -> None:
    """Moderation needs a moderator."""
    comment = post(engine, "casino")
    with pytest.raises(PermissionDeniedError):
        engine.moderate(comment.id, Decision.APPROVE, Actor(BOB))
    with pytest.raises(PermissionDeniedError):
        engine.queue(Actor(BOB))


def test_queue_lists_pending_and_spam(engine: CommentEngine) -> None:
    """The queue shows held and spam comments, newest first."""
    first = post(engine, "casino one")
    second = post(engine, "casino two")
    post(engine, "fine")
    rows = engine.queue(Actor(MOD, moderator=True))
    assert [second.id, first.id] == [c.id for c in rows.comments]


def test_recheck_publishes_when_verdict_clears(engine: CommentEngine, hold: HoldWord) -> None:
    """Re-checking a held comment applies the pipeline's new verdict."""
    held = post(engine, "casino")
    hold.word = "something else"
    assert Status.APPROVED == engine.recheck(held.id).status


# ---------------------------------------------------------------- votes, counts, recent


def test_one_vote_per_voter(engine: CommentEngine) -> None:
    """Voting twice replaces the first vote; withdrawing removes it."""
    comment = post(engine, "Vote me")
    engine.vote(comment.id, Actor(BOB), 1)
    again = engine.vote(comment.id, Actor(BOB), 1)
    assert (1, 0) == (again.upvotes, again.downvotes)
    flipped = engine.vote(comment.id, Actor(BOB), -1)
    assert (0, 1) == (flipped.upvotes, flipped.downvotes)
    assert 0 == engine.vote(comment.id, Actor(BOB), 0).score


def test_votes_need_identity_and_not_own(engine: CommentEngine) -> None:
    """Anonymous readers and authors cannot vote; bad values are refused."""
    comment = post(engine, "Vote me")
    with pytest.raises(AuthenticationRequiredError):
        engine.vote(comment.id, Actor(), 1)
    with pytest.raises(PermissionDeniedError):
        engine.vote(comment.id, Actor(ADA), 1)
    with pytest.raises(ValidationError):
        engine.vote(comment.id, Actor(BOB), 2)  # type: ignore[arg-type]


def test_counts_for_many_threads(engine: CommentEngine) -> None:
    """Counts come back for every asked thread, 0 for unknown ones."""
    post(engine, "a")
    post(engine, "b")
    engine.post("post-2", Submission("c"), ADA)
    assert {"post-1": 2, "post-2": 1, "post-3": 0} == engine.counts(["post-1", "post-2", "post-3"])


def test_recent_is_newest_first(engine: CommentEngine) -> None:
    """Recent comments list approved ones, newest first."""
    a = post(engine, "a")
    post(engine, "casino")
    b = post(engine, "b")
    assert [b.id, a.id] == [c.id for c in engine.recent(10)]


# ---------------------------------------------------------------- personal data


def test_export_and_erase_one_person(engine: CommentEngine) -> None:
    """Export lists a person's comments and votes; erase removes them, keeping others' replies."""
    top = post(engine, "Mine", ADA)
    reply = post(engine, "Yours", BOB, top.id)
    leaf = post(engine, "Mine too", ADA)
    engine.vote(reply.id, Actor(ADA), 1)
    data = engine.export(ADA.key)
    assert ([top.id, leaf.id], {reply.id: 1}) == ([c.id for c in data.comments], data.votes)
    assert 2 == engine.erase(ADA.key)
    remaining = engine.store.get_comment(top.id)
    assert remaining is not None
    assert (Status.DELETED, "", RequestContext()) == (
        remaining.status,
        remaining.author.name,
        remaining.context,
    )
    assert engine.store.get_comment(leaf.id) is None
    assert ([], {}) == (engine.export(ADA.key).comments, engine.export(ADA.key).votes)
    assert 0 == engine.get_comment(reply.id).upvotes


def test_deep_chain_pages_without_recursion(engine: CommentEngine) -> None:
    """A very deep reply chain posts and reads back whole."""
    parent = None
    made: list[int] = []
    for i in range(1200):
        comment = post(engine, f"level {i}", ADA if i % 2 else BOB, parent)
        made.append(comment.id)
        parent = comment.id
    page = engine.page("post-1", total_limit=2000)
    assert made == ids(page.nodes)


def test_subtree_depth_follows_the_overflow_policy(store: MemoryStore, clock: ManualClock) -> None:
    """Replies fetched past the depth limit show where the page would show them."""
    for overflow, expected in ((Overflow.FLATTEN, 2), (Overflow.TOP_LEVEL, 1)):
        policy = EnginePolicy(max_display_depth=2, overflow=overflow)
        engine = CommentEngine(store, clock=clock, policy=policy)
        chain: list[Comment] = []
        for level in range(4):
            parent_id = chain[-1].id if chain else None
            chain.append(engine.post(overflow.value, Submission(f"{level}", parent_id), ADA))
        page = engine.subtree(chain[2].id)
        assert [(chain[3].id, expected)] == [(n.comment.id, n.depth) for n in page.nodes]
