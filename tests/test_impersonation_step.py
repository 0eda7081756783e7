"""ImpersonationGuard: no unverified commenter posts under a name reading like a protected one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from threadkit import Identity, Submission
from threadkit.engine import CommentEngine
from threadkit.errors import RejectedError
from threadkit.memory import MemoryStore
from threadkit.models import (
    Action,
    Candidate,
    NewComment,
    RequestContext,
    Status,
    Thread,
    Verdict,
)
from threadkit.moderation import ImpersonationGuard, default_pipeline

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
THREAD = Thread("post-1", NOW - timedelta(days=1))
CY = Identity("github", "cy", "Cy Verified", verified=True)
MOD = Identity("site", "1", "Demo Moderator", verified=True)


def anonymous(name: str) -> Identity:
    """An unverified commenter who typed ``name`` into the form."""
    return Identity("anonymous", "browser-1", name)


def candidate(author: Identity, *, moderator: bool = False, now: datetime = NOW) -> Candidate:
    """A new top-level comment by ``author``."""
    context = RequestContext(ip="198.51.100.7")
    return Candidate(THREAD, author, "Hello", context, now, moderator=moderator)


def store_with_verified_author(author: Identity = CY) -> MemoryStore:
    """A store where ``author`` (verified) has one approved comment."""
    store = MemoryStore()
    store.ensure_thread("post-1", now=NOW)
    store.add_comment(NewComment("post-1", None, author, "Hi", "<p>Hi</p>", Status.APPROVED, NOW))
    return store


def codes(verdict: Verdict) -> list[tuple[Action, str]]:
    """The verdict's action and reason codes, for compact asserts."""
    return [(verdict.action, reason.code) for reason in verdict.reasons]


class CountingStore:
    """A verified-names source that records what it is asked (``after_id`` of each call)."""

    def __init__(self, names: list[str], last: int = 0) -> None:
        self.names = names
        self.last = last
        self.calls: list[int] = []

    def verified_author_names(self, after_id: int = 0) -> tuple[list[str], int]:
        self.calls.append(after_id)
        return list(self.names), max(after_id, self.last)


class FakeClock:
    """Seconds that move only when told to."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


@pytest.mark.parametrize(
    "fake",
    [
        "Demo Moderator",
        "demo moderator",
        "Dem0 Moderator",
        "Demo\u200b Moderator",
        "D\u0435mo Moderator",
    ],
)
def test_a_reserved_name_and_its_lookalikes_are_refused(fake: str) -> None:
    """An anonymous name reading like a reserved one is rejected with name_reserved."""
    guard = ImpersonationGuard(reserved=["Demo Moderator"])
    verdict = guard.check(candidate(anonymous(fake)))
    assert [(Action.REJECT, "name_reserved")] == codes(verdict)
    assert "'Demo Moderator', a name reserved on this site" in verdict.reasons[0].message


@pytest.mark.parametrize("fake", ["Cy Verified", "\u0421y Verified", "\uff23\uff59 Verified"])
def test_a_verified_authors_name_from_the_store_is_refused(fake: str) -> None:
    """A name reading like a verified author's (as the store knows it) is rejected."""
    guard = ImpersonationGuard(store_with_verified_author())
    verdict = guard.check(candidate(anonymous(fake)))
    assert [(Action.REJECT, "name_confusable")] == codes(verdict)
    assert "looks like 'Cy Verified', a verified author" in verdict.reasons[0].message


def test_other_names_pass() -> None:
    """A name unlike every protected one is accepted."""
    guard = ImpersonationGuard(store_with_verified_author(), reserved=["Demo Moderator"])
    assert Verdict.accept() == guard.check(candidate(anonymous("Ada")))


def test_the_verified_author_and_moderators_themselves_pass() -> None:
    """A verified identity, or a moderator, is never refused for its own name."""
    guard = ImpersonationGuard(store_with_verified_author(), reserved=["Demo Moderator"])
    assert [Verdict.accept(), Verdict.accept()] == [
        guard.check(candidate(CY)),
        guard.check(candidate(anonymous("Demo Moderator"), moderator=True)),
    ]


def test_a_moderator_who_posts_protects_their_name_at_once() -> None:
    """After a moderator posts through this process, their name is protected without a refresh."""
    guard = ImpersonationGuard(CountingStore([]))
    guard.check(candidate(Identity("site", "7", "Mo Derator"), moderator=True))
    verdict = guard.check(candidate(anonymous("Mo Derat0r")))
    assert [(Action.REJECT, "name_confusable")] == codes(verdict)


def test_the_store_is_asked_for_new_names_once_per_refresh() -> None:
    """Within a refresh window nothing is read; then only ids after the last one seen."""
    source, clock = CountingStore(["Cy Verified"], last=5000), FakeClock()
    guard = ImpersonationGuard(source, refresh=timedelta(minutes=1), clock=clock)
    for seconds in (0, 10, 59):
        clock.seconds = seconds
        guard.check(candidate(anonymous("Ada")))
    asked_in_window = list(source.calls)
    source.names, source.last, clock.seconds = ["Newly Verified"], 5003, 61
    verdict = guard.check(candidate(anonymous("Newly Verified")))
    assert ([0], [0, 5000 - ImpersonationGuard.OVERLAP], "name_confusable") == (
        asked_in_window,
        source.calls,
        verdict.reasons[0].code,
    )


def test_a_reload_reads_everything_again_and_forgets_erased_names() -> None:
    """Every reload window the names are read whole, so an erased author is no longer protected."""
    source, clock = CountingStore(["Cy Verified"], last=10), FakeClock()
    guard = ImpersonationGuard(source, reload=timedelta(hours=1), clock=clock)
    before = guard.check(candidate(anonymous("Cy Verified")))
    source.names, clock.seconds = [], 3600
    after = guard.check(candidate(anonymous("Cy Verified")))
    assert ([Action.REJECT, Action.ACCEPT], [0, 0]) == ([before.action, after.action], source.calls)


def test_an_invisible_name_is_refused_by_the_step_too() -> None:
    """A session or custom provider's blank-looking name is refused (invisible_name)."""
    verdict = ImpersonationGuard().check(candidate(anonymous("\u200b\u3164")))
    assert [(Action.REJECT, "invisible_name")] == codes(verdict)


def test_the_default_pipeline_refuses_an_impersonation_through_the_engine() -> None:
    """default_pipeline has the guard: a verified author's look-alike is refused on "name"."""
    store = store_with_verified_author()
    engine = CommentEngine(store, pipeline=default_pipeline(store))
    with pytest.raises(RejectedError) as caught:
        engine.post("post-1", Submission("Me again"), anonymous("Cy Ver\u0456fied"))
    assert ("name_confusable", "name", 1) == (
        caught.value.code,
        caught.value.field,
        store.get_thread("post-1").comment_count,  # type: ignore[union-attr]
    )


def test_reserve_adds_names_later() -> None:
    """reserve() (what the Flask setting calls) protects names given after construction."""
    guard = ImpersonationGuard()
    guard.reserve(["Admin", "  "])
    assert (("Admin",), [(Action.REJECT, "name_reserved")]) == (
        guard.reserved,
        codes(guard.check(candidate(anonymous("\u0430dmin")))),
    )
