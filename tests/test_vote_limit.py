"""VoteLimit: at most N new votes per network address, per comment and per thread."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from threadkit import Identity, Submission
from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.errors import RateLimitedError, ThreadkitError
from threadkit.guards import VoteQuota
from threadkit.memory import MemoryStore
from threadkit.models import Action, Actor, Comment, RequestContext, Status, VoteCandidate
from threadkit.moderation import VoteLimit
from threadkit.ports import VoteStep

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
AUTHOR = Identity("anonymous", "browser-author", "Author")
IP = "203.0.113.77"


def setup(**engine_options: object) -> tuple[CommentEngine, ManualClock, list[Comment]]:
    """An engine with the default vote steps and three comments in thread t1, one in t2."""
    clock = ManualClock(T0)
    engine = CommentEngine(MemoryStore(), clock=clock, **engine_options)  # type: ignore[arg-type]
    comments = [
        engine.post(key, Submission(f"comment {n}"), AUTHOR)
        for n, key in enumerate(["t1", "t1", "t1", "t2"])
    ]
    return engine, clock, comments


def voter(n: int) -> Actor:
    """A fresh anonymous session: a new cookie, so a new identity."""
    return Actor(Identity("anonymous", f"fresh-cookie-{n}", ""))


def test_vote_limit_is_a_vote_step_with_guards_for_both_caps() -> None:
    """VoteLimit satisfies VoteStep and accepts a vote with a per-comment and a per-thread quota."""
    step = VoteLimit()
    vote = VoteCandidate(
        Comment(1, "t1", None, 1, 0, AUTHOR, "x", "x", Status.APPROVED, T0),
        voter(1).identity,  # type: ignore[arg-type]
        1,
        RequestContext(ip=IP),
        T0,
    )
    verdict = step.check(vote)
    expected = (VoteQuota(IP, "comment", 5, 3600.0), VoteQuota(IP, "thread", 60, 3600.0))
    assert (True, Action.ACCEPT, expected) == (
        isinstance(step, VoteStep),
        verdict.action,
        verdict.guards,
    )


def test_twenty_five_fresh_sessions_from_one_address_give_five_upvotes() -> None:
    """The issue's attack: 25 new cookies, one IP, one comment; the default cap keeps 5."""
    engine, _, comments = setup()
    refused = 0
    for n in range(25):
        try:
            engine.vote(comments[0].id, voter(n), 1, RequestContext(ip=IP))
        except RateLimitedError as error:
            refused += 1
            last = error
    assert (5, 20, "too_many_votes", 429, 3600.0) == (
        engine.get_comment(comments[0].id).upvotes,
        refused,
        last.code,
        last.http_status,
        last.retry_after,
    )
    assert "Too many votes on this comment from your network" in last.message


def test_the_thread_cap_counts_votes_on_all_its_comments_only() -> None:
    """With per_thread=4, the fifth vote in t1 is refused while t2 still takes votes."""
    engine, _, comments = setup(vote_steps=[VoteLimit(per_comment=None, per_thread=4)])
    for n in range(4):
        engine.vote(comments[n % 3].id, voter(n), 1, RequestContext(ip=IP))
    with pytest.raises(RateLimitedError) as caught:
        engine.vote(comments[2].id, voter(9), 1, RequestContext(ip=IP))
    other_thread = engine.vote(comments[3].id, voter(9), 1, RequestContext(ip=IP))
    assert ("Too many votes on this thread from your network; please wait 3600 seconds.", 1) == (
        caught.value.message,
        other_thread.upvotes,
    )


def test_the_window_frees_places_as_it_moves() -> None:
    """An hour after the first votes the address may vote again."""
    engine, clock, comments = setup(vote_steps=[VoteLimit(per_comment=2)])
    for n in range(2):
        engine.vote(comments[0].id, voter(n), 1, RequestContext(ip=IP))
    clock.advance(minutes=59)
    with pytest.raises(RateLimitedError) as caught:
        engine.vote(comments[0].id, voter(2), 1, RequestContext(ip=IP))
    clock.advance(minutes=1)
    later = engine.vote(comments[0].id, voter(2), 1, RequestContext(ip=IP))
    assert (60.0, 3) == (caught.value.retry_after, later.upvotes)


def test_changing_and_withdrawing_a_vote_are_never_refused() -> None:
    """At the cap, a voter may still turn an upvote into a downvote or withdraw it."""
    engine, _, comments = setup(vote_steps=[VoteLimit(per_comment=1)])
    engine.vote(comments[0].id, voter(0), 1, RequestContext(ip=IP))
    flipped = engine.vote(comments[0].id, voter(0), -1, RequestContext(ip=IP))
    withdrawn = engine.vote(comments[0].id, voter(0), 0, RequestContext(ip=IP))
    again = engine.vote(comments[0].id, voter(1), 1, RequestContext(ip=IP))
    assert ((0, 1), (0, 0), (1, 0)) == (
        (flipped.upvotes, flipped.downvotes),
        (withdrawn.upvotes, withdrawn.downvotes),
        (again.upvotes, again.downvotes),
    )


def test_moderators_votes_without_an_ip_and_other_addresses_are_not_limited() -> None:
    """The cap is per address: other IPs, IP-less calls and moderators pass."""
    engine, _, comments = setup(vote_steps=[VoteLimit(per_comment=1)])
    engine.vote(comments[0].id, voter(0), 1, RequestContext(ip=IP))
    engine.vote(comments[0].id, voter(1), 1, RequestContext(ip="192.0.2.1"))
    engine.vote(comments[0].id, voter(2), 1)
    moderator = Actor(Identity("site", "mod", "Mod"), moderator=True)
    result = engine.vote(comments[0].id, moderator, 1, RequestContext(ip=IP))
    assert 4 == result.upvotes


def test_an_empty_vote_steps_list_turns_the_limit_off() -> None:
    """CommentEngine(vote_steps=[]) lets 25 fresh sessions from one address all count."""
    engine, _, comments = setup(vote_steps=[])
    for n in range(25):
        engine.vote(comments[0].id, voter(n), 1, RequestContext(ip=IP))
    assert 25 == engine.get_comment(comments[0].id).upvotes


def test_parallel_fresh_sessions_cannot_overshoot_the_cap() -> None:
    """25 fresh sessions voting at the same moment from one IP: exactly 5 votes count."""
    engine, _, comments = setup()
    barrier = threading.Barrier(25)
    codes: list[str] = []

    def vote(n: int) -> None:
        barrier.wait()
        try:
            engine.vote(comments[0].id, voter(n), 1, RequestContext(ip=IP))
        except ThreadkitError as error:
            codes.append(error.code)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (5, ["too_many_votes"] * 20) == (engine.get_comment(comments[0].id).upvotes, codes)


@pytest.mark.parametrize(
    "options",
    [{"per_comment": 0}, {"per_thread": -1}, {"window_seconds": 0}],
    ids=["per_comment", "per_thread", "window"],
)
def test_nonsense_settings_are_refused_at_construction(options: dict[str, float]) -> None:
    """A cap below 1 or a window of no time is a ValueError that says what is allowed."""
    with pytest.raises(ValueError, match="must be"):
        VoteLimit(**options)  # type: ignore[arg-type]
