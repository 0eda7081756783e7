"""``LinkLimit``: hold comments with many links, a classic sign of spam."""

from __future__ import annotations

import attrs

from threadkit.models import Candidate, Verdict
from threadkit.moderation._text import count_links, links_at_most
from threadkit.moderation._verdicts import ACCEPT

__all__ = ["LinkLimit"]


def _non_negative(value: int) -> int:
    if value < 0:
        raise ValueError(f"max_links must be 0 or more, not {value}")
    return value


@attrs.define
class LinkLimit:
    """Hold a comment for review when its body has more than ``max_links`` links.

    Like WordPress' ``comment_max_links`` (default 2). Counted: every Markdown
    link ``[text](url)`` or ``[text][ref]``, autolink ``<https://...>`` and
    image, and every bare ``http(s)://``, ``ftp://`` or ``www.`` URL outside a
    link (in code too). Raw HTML such as ``<a href=...>`` is not a link in
    threadkit's Markdown, but the URL inside it still counts as a bare URL.

    Reason code: ``too_many_links`` (action ``HOLD``).

    >>> from threadkit.moderation.links import LinkLimit
    >>> LinkLimit().max_links
    2
    """

    max_links: int = attrs.field(default=2, converter=_non_negative)
    name: str = "link-limit"

    def check(self, candidate: Candidate) -> Verdict:
        """Hold ``candidate`` if it has more than ``max_links`` links."""
        # The renderer parses the body anyway; parse it here only if it may hold too many.
        if links_at_most(candidate.body) <= self.max_links:
            return ACCEPT
        links = count_links(candidate.body)
        if links <= self.max_links:
            return ACCEPT
        return Verdict.hold(
            self.name,
            "too_many_links",
            f"The comment has {links} links; more than {self.max_links} are held for review.",
        )
