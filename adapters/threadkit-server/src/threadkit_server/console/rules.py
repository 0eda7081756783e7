"""``SiteRules``: apply each site's stored settings to the comments posted to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from threadkit.models import Action, Candidate, Verdict
from threadkit.moderation import (
    AutoClose,
    FirstTimeApproval,
    ImpersonationGuard,
    LinkLimit,
    ModerationHistory,
)

from .settings import SiteSettings

__all__ = ["SiteRules", "site_of"]


class SettingsSource(ModerationHistory, Protocol):
    """What ``SiteRules`` asks the store: a site's settings, and an author's history."""

    def site_settings(self, site: str) -> dict[str, str]:
        """Return the settings last saved for ``site``, or ``{}``."""
        ...


def site_of(thread_key: str) -> str:
    """Return the site id a stored thread key starts with (``a.example:post-1``)."""
    return thread_key.split(":", 1)[0] if ":" in thread_key else ""


class SiteRules:
    """The moderation step that applies the posting site's settings, read on each post.

    Moderation mode (``hold-first``: an author's first comment waits,
    ``hold-all``: every comment waits), closing threads ``close_after_days``
    after they start, reserved names and the link limit. Moderators pass.

    Reason codes: ``first_comment``, ``held_by_site`` (``HOLD``),
    ``thread_closed`` and ``name_reserved`` (``REJECT``), ``too_many_links``
    (``HOLD``).
    """

    name = "site-settings"

    def __init__(self, store: SettingsSource) -> None:
        self.store = store

    def settings(self, site: str) -> SiteSettings:
        """Return the settings of ``site`` as stored now."""
        stored: Mapping[str, str] = self.store.site_settings(site)
        return SiteSettings.from_stored(stored)

    def check(self, candidate: Candidate) -> Verdict:
        """Judge ``candidate`` by its site's settings."""
        if candidate.moderator:
            return Verdict.accept()
        rules = self.settings(site_of(candidate.thread.key))
        # Refusals first, each on its own: the engine reports a refusal's last reason.
        if rules.close_after_days:
            closed = AutoClose(rules.close_after_days).check(candidate)
            if closed.action is Action.REJECT:
                return closed
        if rules.reserved_names:
            taken = ImpersonationGuard(None, reserved=rules.reserved_names).check(candidate)
            if taken.action is Action.REJECT:
                return taken
        verdict = LinkLimit(rules.max_links).check(candidate)
        if rules.moderation == "hold-first":
            verdict = verdict.combine(FirstTimeApproval(self.store).check(candidate))
        elif rules.moderation == "hold-all":
            verdict = verdict.combine(
                Verdict.hold(self.name, "held_by_site", "This site reviews every comment first.")
            )
        return verdict
