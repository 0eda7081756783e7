"""Per-site settings the admin stores: how comments are moderated, when threads close.

Kept in the store as a map of strings per site id (``AdminStore.site_settings``)
and read on every post by :class:`threadkit_server.console.rules.SiteRules`, so a
change takes effect at once on every worker.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from threadkit.errors import ValidationError

__all__ = ["MODES", "SiteSettings"]

MODES = {
    "publish": "Publish at once",
    "hold-first": "Hold an author's first comment",
    "hold-all": "Hold every comment",
}
"""Moderation modes, with the label the settings form shows."""

DEFAULT_MAX_LINKS = 2
"""Links a comment may hold before it is held, unless the site says otherwise."""


def _number(raw: str, field: str, low: int, high: int) -> int:
    text = raw.strip() or "0"
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValidationError(
            "out_of_range",
            f"{field.replace('_', ' ')} must be a whole number from {low} to {high}.",
            field=field,
        )
    return int(text)


@attrs.frozen
class SiteSettings:
    """One site's settings; the defaults are what a site gets before anyone saves.

    ``close_after_days`` 0 keeps threads open for good; ``reserved_names`` are
    names nobody may comment under without logging in; ``max_links`` is how
    many links a comment may hold before it is held for review.
    """

    moderation: str = "publish"
    close_after_days: int = 0
    reserved_names: tuple[str, ...] = ()
    max_links: int = DEFAULT_MAX_LINKS

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> SiteSettings:
        """Read the settings form; raise ``ValidationError`` naming the field to fix."""
        mode = form.get("moderation", "publish")
        if mode not in MODES:
            raise ValidationError(
                "invalid", f"moderation must be one of {', '.join(MODES)}.", field="moderation"
            )
        names = tuple(
            dict.fromkeys(n.strip() for n in form.get("reserved_names", "").split(",") if n.strip())
        )
        if any(len(name) > 100 for name in names) or len(names) > 200:
            raise ValidationError(
                "too_long",
                "Reserve at most 200 names of at most 100 characters.",
                field="reserved_names",
            )
        return cls(
            moderation=mode,
            close_after_days=_number(
                form.get("close_after_days", ""), "close_after_days", 0, 36500
            ),
            reserved_names=names,
            max_links=_number(form.get("max_links", "2"), "max_links", 0, 100),
        )

    @classmethod
    def from_stored(cls, stored: Mapping[str, str]) -> SiteSettings:
        """Read settings as the store keeps them (a value that no longer parses is dropped)."""
        try:
            return cls.from_form(stored)
        except ValidationError:
            return cls()

    def to_stored(self) -> dict[str, str]:
        """Return the settings as the store keeps them."""
        return {
            "moderation": self.moderation,
            "close_after_days": str(self.close_after_days),
            "reserved_names": ", ".join(self.reserved_names),
            "max_links": str(self.max_links),
        }
