"""Moderation: decide whether a comment is published, held, marked as spam or refused.

Every comment, before it is stored, passes through a :class:`Pipeline`: an
ordered list of *moderation steps*. Each step looks at the comment and gives a
:class:`~threadkit.models.Verdict`; the pipeline combines them, and the engine
acts on the result. This docstring is the whole tutorial; ``docs/moderation.md``
says the same with more room.

What a step is
==============

A step is any object with a ``name`` and a ``check`` method (the
:class:`threadkit.ports.ModerationStep` protocol; no base class needed)::

    from threadkit.models import Candidate, Verdict

    class NoShouting:
        name = "no-shouting"

        def check(self, candidate: Candidate) -> Verdict:
            letters = [ch for ch in candidate.body if ch.isalpha()]
            if len(letters) > 20 and all(ch.isupper() for ch in letters):
                return Verdict.hold(self.name, "shouting", "The comment is all capitals.")
            return Verdict.accept()

``check`` receives a :class:`~threadkit.models.Candidate`: the thread, the
author's :class:`~threadkit.models.Identity`, the body source, the request's
IP / user agent / referrer, the current time (``now``: always use it, never
``datetime.now()``, so tests can move time), the parent comment of a reply,
the honeypot field, whether a moderator is posting (``moderator``), and
``comment_id``, which is set when an existing comment is *re-checked* (after
an edit, or when the engine retries a pending comment) and ``None`` for a new
post. A step must not change anything: it judges, the engine acts.

A step that needs history (has this IP posted in the last 15 seconds?) asks
the store it was built with, never a dict in process memory: a site runs
many worker processes on several machines, and only the store sees them all.
The built-in steps take a :class:`ModerationHistory`, the three read-only
questions every :class:`~threadkit.ports.CommentStore` answers.

Verdicts and their strength
===========================

A :class:`~threadkit.models.Verdict` carries an
:class:`~threadkit.models.Action`, ordered from weakest to strongest:

========== ======= =============================================================
action     value   what the engine does
========== ======= =============================================================
``ACCEPT`` 0       store the comment as approved: it is public
``HOLD``   1       store it as pending: only its author and moderators see it
``SPAM``   2       store it as spam: hidden in the moderation queue's spam tab
``REJECT`` 3       store nothing; raise ``RejectedError`` (HTTP 422), or
                   ``RateLimitedError`` (HTTP 429) when ``retry_after`` is set
========== ======= =============================================================

The pipeline runs the steps in order and the strongest action wins: one step
saying ``HOLD`` and another ``SPAM`` makes the comment spam. A ``REJECT``
stops the pipeline at once, since nothing will be stored; so put cheap steps
that can reject first and expensive ones (a call to a spam service) last.
``retry_after`` is the largest any step gave.

Build verdicts with the class methods: ``Verdict.accept()``,
``Verdict.hold(step, code, message)``, ``Verdict.spam(...)`` and
``Verdict.reject(..., retry_after=None)``. A step that finds several problems
at once may return ``Verdict(action, (reason, reason, ...))``.

Reasons
=======

Every non-accepting verdict carries :class:`~threadkit.models.Reason` values
``(step, code, message)``, and the pipeline keeps every reason from every
step, in order, on the stored comment, so a moderator sees all of them, not
only the strongest. ``step`` is the step's ``name``; ``code`` is a stable
machine-readable string (adapters and translations key on it; never change a
published one); ``message`` is for people and says what to do. A rejected
comment's reasons travel on the ``RejectedError`` to the comment form.

The built-in steps and their reason codes
=========================================

=================================== ==================== ==========================
step (``name``)                     codes                action
=================================== ==================== ==========================
:class:`SizeLimits` (size-limits)   ``empty_body``,      reject
                                    ``<field>_too_long``,
                                    ``<field>_too_large``
:class:`AutoClose` (auto-close)     ``thread_closed``    reject
:class:`Honeypot` (honeypot)        ``honeypot_filled``  spam (configurable)
:class:`FloodControl`               ``too_fast``         reject + ``retry_after``
(flood-control)
:class:`DuplicateDetection`         ``duplicate``        reject
(duplicates)
:class:`KeywordList` (keywords)     ``spam_keyword``,    spam / hold
                                    ``hold_keyword``
:class:`LinkLimit` (link-limit)     ``too_many_links``   hold
:class:`FirstTimeApproval`          ``first_comment``    hold
(first-time)
:class:`LearnedBlocklist`           ``blocked_author``,  spam
(learned-blocklist)                 ``blocked_ip``
=================================== ==================== ==========================

``<field>`` is ``body``, ``name``, ``url`` or ``email``. Each step's
docstring gives its options and defaults. Flood control, duplicate detection
and auto-close leave re-checks alone (a comment cannot flood or duplicate
itself); flood control, first-time approval, auto-close and the learned
blocklist let moderators through.

Flood control and duplicate detection also put *write guards* on their
accepting verdicts (``Verdict.guards``, see :mod:`threadkit.guards`); the
engine hands them to the store, which checks them again in the transaction
that inserts, so requests sent at the same moment cannot all slip past.

Votes have steps of their own (``CommentEngine(vote_steps=...)``, the
:class:`threadkit.ports.VoteStep` protocol). :class:`VoteLimit`
(``vote-limit``, code ``too_many_votes``, reject with ``retry_after``) caps
new votes per network address, per comment and per thread, and is on by
default.

The default pipeline
====================

:func:`default_pipeline` builds, in this order: ``SizeLimits()``,
``Honeypot()``, ``FloodControl(store)`` (15 seconds per IP and per author),
``DuplicateDetection(store)`` and ``LinkLimit()`` (hold above 2 links).
Auto-close, keyword lists and first-time approval have slots but are off
until you fill them; replace a step by slot name, drop it with ``None``, and
append your own with ``extra``::

    from threadkit.moderation import AutoClose, KeywordList, default_pipeline

    pipeline = default_pipeline(
        store,
        auto_close=AutoClose(days=30),
        keywords=KeywordList(hold=["casino"], spam=["viagra", "203.0.113."]),
        extra=[NoShouting()],
    )
    engine = CommentEngine(store, pipeline=pipeline)

Or assemble any order yourself: ``Pipeline([SizeLimits(), NoShouting()])``.

Steps that learn
================

When a moderator marks a comment as spam, or as "not spam" (ham), the engine
calls :meth:`Pipeline.learn`, which passes the decision to every step that
also has a ``learn(comment, is_spam)`` method (the
:class:`threadkit.ports.LearningStep` protocol). Akismet-style services
report it upstream; :class:`LearnedBlocklist` is a small built-in example
that blocks authors and IPs marked as spam, keeping its list behind the
pluggable :class:`Blocklist` protocol (your database or Redis; not process
memory). ``learn`` may do IO and must log, not raise, a transient failure.

Testing your step
=================

Build a :class:`~threadkit.models.Candidate` by hand and call ``check``;
for history, pass a ``threadkit.memory.MemoryStore``::

    candidate = Candidate(thread, author, "HELLO EVERYONE IN THIS THREAD", RequestContext(), now)
    assert Action.HOLD == NoShouting().check(candidate).action
"""

from threadkit.moderation.autoclose import AutoClose
from threadkit.moderation.bans import BanCheck, BanLookup
from threadkit.moderation.defaults import DEFAULT_SLOTS, default_pipeline
from threadkit.moderation.duplicates import DuplicateDetection
from threadkit.moderation.first_time import FirstTimeApproval
from threadkit.moderation.flood import FloodControl
from threadkit.moderation.history import ModerationHistory
from threadkit.moderation.honeypot import Honeypot
from threadkit.moderation.impersonation import ImpersonationGuard, VerifiedNames
from threadkit.moderation.keywords import KeywordList
from threadkit.moderation.learning import (
    Blocklist,
    BlocklistKind,
    LearnedBlocklist,
    MemoryBlocklist,
)
from threadkit.moderation.limits import SizeLimits
from threadkit.moderation.links import LinkLimit
from threadkit.moderation.pipeline import Pipeline
from threadkit.moderation.votes import VoteLimit

__all__ = [
    "BanCheck",
    "BanLookup",
    "Pipeline",
    "default_pipeline",
    "DEFAULT_SLOTS",
    "ModerationHistory",
    "SizeLimits",
    "AutoClose",
    "Honeypot",
    "ImpersonationGuard",
    "VerifiedNames",
    "FloodControl",
    "DuplicateDetection",
    "KeywordList",
    "LinkLimit",
    "FirstTimeApproval",
    "LearnedBlocklist",
    "Blocklist",
    "BlocklistKind",
    "MemoryBlocklist",
    "VoteLimit",
]
