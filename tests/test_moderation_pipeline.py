"""Properties of the moderation Pipeline: strongest action wins, reasons kept, REJECT stops."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from threadkit.guards import MinInterval, NoDuplicate
from threadkit.models import (
    Action,
    Candidate,
    Comment,
    Identity,
    Reason,
    RequestContext,
    Status,
    Thread,
    Verdict,
)
from threadkit.moderation import Pipeline
from threadkit.ports import LearningStep

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CANDIDATE = Candidate(
    Thread("post-1", NOW), Identity("anonymous", "b", "Ada"), "Hello", RequestContext(), NOW
)


class FixedStep:
    """A step that always gives the same verdict and counts its calls."""

    def __init__(self, name: str, verdict: Verdict) -> None:
        self.name = name
        self.verdict = verdict
        self.calls = 0

    def check(self, candidate: Candidate) -> Verdict:
        self.calls += 1
        return self.verdict


class LearningFixedStep(FixedStep):
    """A FixedStep that also records the feedback it learns from."""

    def __init__(self, name: str, verdict: Verdict) -> None:
        super().__init__(name, verdict)
        self.learned: list[tuple[int, bool]] = []

    def learn(self, comment: Comment, is_spam: bool) -> None:
        self.learned.append((comment.id, is_spam))


reasons = st.lists(
    st.builds(
        Reason,
        step=st.sampled_from(["a", "b", "c"]),
        code=st.text(min_size=1, max_size=8),
        message=st.text(max_size=20),
    ),
    max_size=3,
)
verdicts = st.builds(
    Verdict,
    action=st.sampled_from(Action),
    reasons=reasons.map(tuple),
    retry_after=st.none() | st.floats(min_value=0, max_value=3600, allow_nan=False),
    guards=st.lists(
        st.sampled_from([NoDuplicate(), MinInterval("ip", "192.0.2.1", 15)]), max_size=2
    ).map(tuple),
)
step_lists = st.lists(verdicts, max_size=8).map(
    lambda vs: [FixedStep(f"step-{i}", v) for i, v in enumerate(vs)]
)


def ran(steps: list[FixedStep]) -> list[FixedStep]:
    """The steps that should run: all of them up to and including the first REJECT."""
    out = []
    for step in steps:
        out.append(step)
        if step.verdict.action is Action.REJECT:
            break
    return out


@given(step_lists)
def test_combined_action_is_the_strongest_action_of_the_steps_that_ran(
    steps: list[FixedStep],
) -> None:
    """The pipeline's action is the max of the actions up to the first REJECT (ACCEPT if none)."""
    expected = max((step.verdict.action for step in ran(steps)), default=Action.ACCEPT)
    assert expected == Pipeline(steps).check(CANDIDATE).action


@given(step_lists)
def test_every_reason_is_kept_in_step_order(steps: list[FixedStep]) -> None:
    """Every reason of every step that ran is kept, in step order then reason order."""
    expected = tuple(reason for step in ran(steps) for reason in step.verdict.reasons)
    assert expected == Pipeline(steps).check(CANDIDATE).reasons


@given(step_lists)
def test_reject_stops_the_pipeline(steps: list[FixedStep]) -> None:
    """Steps up to the first REJECT run once each; none after it runs."""
    Pipeline(steps).check(CANDIDATE)
    expected = [1] * len(ran(steps)) + [0] * (len(steps) - len(ran(steps)))
    assert expected == [step.calls for step in steps]


@given(step_lists)
def test_retry_after_is_the_largest_given(steps: list[FixedStep]) -> None:
    """retry_after is the largest any step that ran gave, or None if none gave one."""
    given_ = [s.verdict.retry_after for s in ran(steps) if s.verdict.retry_after is not None]
    expected = max(given_) if given_ else None
    assert expected == Pipeline(steps).check(CANDIDATE).retry_after


@given(step_lists)
def test_the_verdict_is_verdict_combine_folded_over_the_steps_that_ran(
    steps: list[FixedStep],
) -> None:
    """Action, reasons, retry_after and guards: what combining the verdicts one by one gives."""
    expected = Verdict.accept()
    for step in ran(steps):
        expected = expected.combine(step.verdict)
    assert expected == Pipeline(steps).check(CANDIDATE)


def test_an_empty_pipeline_accepts() -> None:
    """With no steps every comment is accepted without reasons."""
    assert Verdict.accept() == Pipeline().check(CANDIDATE)


def test_learn_reaches_only_learning_steps() -> None:
    """Pipeline.learn passes feedback to steps with a learn method and skips the others."""
    learner = LearningFixedStep("learner", Verdict.accept())
    plain = FixedStep("plain", Verdict.accept())
    comment = Comment(7, "post-1", None, 7, 0, CANDIDATE.author, "x", "<p>x</p>", Status.SPAM, NOW)
    Pipeline([plain, learner]).learn(comment, is_spam=True)
    assert ([(7, True)], False, True) == (
        learner.learned,
        isinstance(plain, LearningStep),
        isinstance(learner, LearningStep),
    )
