"""``default_pipeline``: the built-in steps in a sensible order."""

from __future__ import annotations

from collections.abc import Sequence

from threadkit.moderation.bans import BanCheck, BanLookup
from threadkit.moderation.duplicates import DuplicateDetection
from threadkit.moderation.flood import FloodControl
from threadkit.moderation.history import ModerationHistory
from threadkit.moderation.honeypot import Honeypot
from threadkit.moderation.impersonation import ImpersonationGuard
from threadkit.moderation.limits import SizeLimits
from threadkit.moderation.links import LinkLimit
from threadkit.moderation.pipeline import Pipeline
from threadkit.ports import ModerationStep

__all__ = ["DEFAULT_SLOTS", "default_pipeline"]

DEFAULT_SLOTS = (
    "size_limits",
    "auto_close",
    "honeypot",
    "bans",
    "impersonation",
    "flood",
    "duplicates",
    "keywords",
    "links",
    "first_time",
)
"""The places in the default pipeline, in the order their steps run."""


def default_pipeline(
    store: ModerationHistory,
    *,
    extra: Sequence[ModerationStep] = (),
    **overrides: ModerationStep | None,
) -> Pipeline:
    """Build the default moderation pipeline, replacing or dropping steps by slot name.

    The slots, in order, and what fills them unless overridden:

    ============== ================================== =========================
    slot           default step                       what it can do
    ============== ================================== =========================
    size_limits    ``SizeLimits()``                   reject
    auto_close     off (give ``AutoClose(days)``)     reject
    honeypot       ``Honeypot()``                     spam
    bans           ``BanCheck(store)`` (if the store  reject, or spam (shadow)
                   keeps bans: ``AdminStore``)
    impersonation  ``ImpersonationGuard(store)``      reject (look-alike names)
    flood          ``FloodControl(store)`` (15 s)     reject, with retry_after
    duplicates     ``DuplicateDetection(store)``      reject
    keywords       off (give ``KeywordList(...)``)    spam or hold
    links          ``LinkLimit()`` (more than 2)      hold
    first_time     off (``FirstTimeApproval(store)``) hold
    ============== ================================== =========================

    Cheap checks that need nothing but the candidate come first, then the
    ones that ask the store, then the ones that scan the text. Steps that
    can reject run early because a rejection stops the pipeline. ``extra``
    steps (a spam service such as Akismet, say) run last, so they are not
    called for comments already rejected.

    Pass a step to fill or replace a slot and ``None`` to empty it; an
    unknown slot name is a ``TypeError``::

        default_pipeline(
            store,
            auto_close=AutoClose(days=30),
            keywords=KeywordList(hold=["casino"], spam=["viagra"]),
            first_time=FirstTimeApproval(store),
            links=None,
            extra=[AkismetStep(...)],
        )

    First-time approval is off by default: anonymous identities are keyed
    by a browser cookie, so it would hold every new visitor's first comment.
    Turn it on for sites that get a lot of hand-made spam.
    """
    unknown = sorted(set(overrides) - set(DEFAULT_SLOTS))
    if unknown:
        raise TypeError(
            f"default_pipeline() got unknown slot(s) {', '.join(unknown)}; "
            f"the slots are {', '.join(DEFAULT_SLOTS)}"
        )
    defaults: dict[str, ModerationStep | None] = {
        "size_limits": SizeLimits(),
        "auto_close": None,
        "honeypot": Honeypot(),
        "bans": BanCheck(store) if isinstance(store, BanLookup) else None,
        "impersonation": ImpersonationGuard(store),
        "flood": FloodControl(store),
        "duplicates": DuplicateDetection(store),
        "keywords": None,
        "links": LinkLimit(),
        "first_time": None,
    }
    defaults.update(overrides)
    steps = [step for slot in DEFAULT_SLOTS if (step := defaults[slot]) is not None]
    return Pipeline([*steps, *extra])
