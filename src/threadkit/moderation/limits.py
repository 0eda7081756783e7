"""``SizeLimits``: refuse empty comments and fields that are too long."""

from __future__ import annotations

import attrs

from threadkit.models import Action, Candidate, Reason, Verdict
from threadkit.moderation._text import is_blank, utf8_size

__all__ = ["SizeLimits"]


def _limit(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise ValueError(f"a size limit must be 0 or more (or None for no limit), not {value}")
    return value


@attrs.define(kw_only=True)
class SizeLimits:
    """Reject a comment that is empty or whose fields exceed a size limit.

    Each of ``body``, ``name`` (the author's display name), ``url`` and
    ``email`` has a limit in characters (Unicode code points) and one in
    bytes of UTF-8; ``None`` turns a limit off. A value exactly at its limit
    passes. The defaults: a body of at most 10,000 characters and 32 KiB;
    names of 100 characters, URLs of 500 and email addresses of 254 (the
    longest address SMTP carries, RFC 5321).

    Reason codes (action ``REJECT``; all violations are reported at once):

    * ``empty_body``: the body is empty or only whitespace / invisible
      characters (control and format characters such as zero-width spaces);
    * ``<field>_too_long``: over the character limit, e.g. ``body_too_long``;
    * ``<field>_too_large``: over the byte limit, e.g. ``name_too_large``.

    >>> from threadkit.moderation.limits import SizeLimits
    >>> SizeLimits(body_chars=5_000).body_chars
    5000
    """

    body_chars: int | None = attrs.field(default=10_000, converter=_limit)
    body_bytes: int | None = attrs.field(default=32 * 1024, converter=_limit)
    name_chars: int | None = attrs.field(default=100, converter=_limit)
    name_bytes: int | None = attrs.field(default=400, converter=_limit)
    url_chars: int | None = attrs.field(default=500, converter=_limit)
    url_bytes: int | None = attrs.field(default=2_000, converter=_limit)
    email_chars: int | None = attrs.field(default=254, converter=_limit)
    email_bytes: int | None = attrs.field(default=254, converter=_limit)
    name: str = "size-limits"

    def check(self, candidate: Candidate) -> Verdict:
        """Reject ``candidate`` if its body is blank or any field is over a limit."""
        reasons: list[Reason] = []
        if is_blank(candidate.body):
            reasons.append(Reason(self.name, "empty_body", "The comment is empty."))
        author = candidate.author
        fields = (
            ("body", "The comment", candidate.body, self.body_chars, self.body_bytes),
            ("name", "The name", author.name, self.name_chars, self.name_bytes),
            ("url", "The website address", author.url or "", self.url_chars, self.url_bytes),
            ("email", "The email address", author.email or "", self.email_chars, self.email_bytes),
        )
        for field, label, value, max_chars, max_bytes in fields:
            reasons.extend(self._measure(field, label, value, max_chars, max_bytes))
        if not reasons:
            return Verdict.accept()
        return Verdict(Action.REJECT, tuple(reasons))

    def _measure(
        self, field: str, label: str, value: str, max_chars: int | None, max_bytes: int | None
    ) -> list[Reason]:
        reasons = []
        chars = len(value)
        if max_chars is not None and chars > max_chars:
            reasons.append(
                Reason(
                    self.name,
                    f"{field}_too_long",
                    f"{label} is {chars:,} characters long; the limit is {max_chars:,}.",
                )
            )
        size = utf8_size(value) if max_bytes is not None else 0
        if max_bytes is not None and size > max_bytes:
            reasons.append(
                Reason(
                    self.name,
                    f"{field}_too_large",
                    f"{label} takes {size:,} bytes in UTF-8; the limit is {max_bytes:,}.",
                )
            )
        return reasons
