"""``Honeypot``: catch bots that fill in a form field humans never see."""

from __future__ import annotations

import attrs

from threadkit.models import Action, Candidate, Reason, Verdict
from threadkit.moderation._verdicts import ACCEPT

__all__ = ["Honeypot"]


def _not_accept(value: Action) -> Action:
    if value is Action.ACCEPT:
        raise ValueError("a honeypot that accepts would do nothing; use HOLD, SPAM or REJECT")
    return Action(value)


@attrs.define
class Honeypot:
    """Mark a comment as spam when the hidden honeypot field has a value.

    The web adapter renders a field that CSS hides from people; form-filling
    bots type into it and ``Submission.honeypot`` arrives non-empty. The
    default ``action`` is ``SPAM`` (kept for a moderator to see, so a false
    positive can be rescued); ``Action.REJECT`` drops it instead.

    Reason code: ``honeypot_filled``.

    >>> from threadkit.models import Action
    >>> from threadkit.moderation.honeypot import Honeypot
    >>> Honeypot(action=Action.REJECT).action
    <Action.REJECT: 3>
    """

    action: Action = attrs.field(default=Action.SPAM, converter=_not_accept)
    name: str = "honeypot"

    def check(self, candidate: Candidate) -> Verdict:
        """Give ``action`` if the honeypot field is filled in."""
        if not candidate.honeypot:
            return ACCEPT
        reason = Reason(self.name, "honeypot_filled", "A field meant to stay empty was filled in.")
        return Verdict(self.action, (reason,))
