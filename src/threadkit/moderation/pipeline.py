"""The ordered moderation pipeline: every step votes, the strongest verdict wins."""

from __future__ import annotations

from collections.abc import Sequence

from threadkit.models import Action, Candidate, Comment, Verdict
from threadkit.ports import LearningStep, ModerationStep

__all__ = ["Pipeline"]


class Pipeline:
    """Run moderation steps in order and combine their verdicts.

    The strongest action wins (reject > spam > hold > accept) and every reason
    from every step is kept, so a moderator sees all of them. A ``REJECT``
    stops the pipeline early: nothing will be stored, so later steps (which
    may call paid services) need not run.
    """

    def __init__(self, steps: Sequence[ModerationStep] = ()) -> None:
        self.steps: tuple[ModerationStep, ...] = tuple(steps)

    def check(self, candidate: Candidate) -> Verdict:
        """Return the combined verdict of every step on ``candidate``."""
        verdict = Verdict.accept()
        for step in self.steps:
            verdict = verdict.combine(step.check(candidate))
            if verdict.action is Action.REJECT:
                break
        return verdict

    def learn(self, comment: Comment, is_spam: bool) -> None:
        """Pass a moderator's spam / not-spam decision to every step that learns."""
        for step in self.steps:
            if isinstance(step, LearningStep):
                step.learn(comment, is_spam)
