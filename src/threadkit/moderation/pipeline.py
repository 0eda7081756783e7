"""The ordered moderation pipeline: every step votes, the strongest verdict wins."""

from __future__ import annotations

from collections.abc import Sequence

from threadkit.guards import Guard
from threadkit.models import Action, Candidate, Comment, Reason, Verdict
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
        """Return the combined verdict of every step on ``candidate``.

        The same as folding :meth:`Verdict.combine` over the steps' verdicts,
        without building a verdict per step (this runs on every post).
        """
        action = Action.ACCEPT
        reasons: tuple[Reason, ...] = ()
        retry_after: float | None = None
        guards: tuple[Guard, ...] = ()
        for step in self.steps:
            verdict = step.check(candidate)
            # Most steps accept with nothing to add: test before combining.
            if verdict.action > action:
                action = verdict.action
            if verdict.reasons:
                reasons += verdict.reasons
            if verdict.retry_after is not None:
                retry_after = (
                    verdict.retry_after
                    if retry_after is None
                    else max(retry_after, verdict.retry_after)
                )
            if verdict.guards:
                guards += verdict.guards
            if action is Action.REJECT:
                break
        return Verdict(action, reasons, retry_after, guards)

    def learn(self, comment: Comment, is_spam: bool) -> None:
        """Pass a moderator's spam / not-spam decision to every step that learns."""
        for step in self.steps:
            if isinstance(step, LearningStep):
                step.learn(comment, is_spam)
