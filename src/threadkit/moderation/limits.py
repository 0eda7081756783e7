"""``SizeLimits``: refuse empty comments and fields that are too long."""

from __future__ import annotations

import attrs

from threadkit import limits
from threadkit.models import Action, Candidate, Reason, Verdict
from threadkit.moderation._settings import optional_not_negative
from threadkit.moderation._text import is_blank, utf8_size
from threadkit.moderation._verdicts import ACCEPT

__all__ = ["SizeLimits"]


def _limit(value: int | None) -> int | None:
    return optional_not_negative(value, "a size limit")


@attrs.frozen
class _Field:
    """One measured field: how to name it, and its two reason codes (written out, not built)."""

    label: str
    too_long: str
    too_large: str


_BODY = _Field("The comment", "body_too_long", "body_too_large")
_NAME = _Field("The name", "name_too_long", "name_too_large")
_URL = _Field("The website address", "url_too_long", "url_too_large")
_EMAIL = _Field("The email address", "email_too_long", "email_too_large")


@attrs.define(kw_only=True)
class SizeLimits:
    """Reject a comment that is empty or whose fields exceed a size limit.

    Each of ``body``, ``name`` (the author's display name), ``url`` and
    ``email`` has a limit in characters (Unicode code points) and one in
    bytes of UTF-8; ``None`` turns a limit off. A value exactly at its limit
    passes. The defaults come from :mod:`threadkit.limits`, the one place
    limits are defined: a body of at most ``COMMENT_MAX_BYTES`` (65,535)
    bytes and no separate character limit, so this step never refuses a
    body the engine and the web adapters accept; names of 100 characters
    (400 bytes), website addresses of 2,000 and email addresses of 254 (the
    longest address SMTP carries, RFC 5321). Lower any of them to be stricter.

    Reason codes (action ``REJECT``; all violations are reported at once):

    * ``empty_body``: the body is empty or only whitespace / invisible
      characters (control and format characters such as zero-width spaces);
    * ``<field>_too_long``: over the character limit, e.g. ``body_too_long``;
    * ``<field>_too_large``: over the byte limit, e.g. ``name_too_large``.

    >>> from threadkit.moderation.limits import SizeLimits
    >>> SizeLimits(body_chars=5_000).body_chars
    5000
    """

    body_chars: int | None = attrs.field(default=None, converter=_limit)
    body_bytes: int | None = attrs.field(default=limits.COMMENT_MAX_BYTES, converter=_limit)
    name_chars: int | None = attrs.field(default=limits.NAME_MAX_CHARS, converter=_limit)
    name_bytes: int | None = attrs.field(default=limits.NAME_MAX_BYTES, converter=_limit)
    url_chars: int | None = attrs.field(default=limits.URL_MAX_CHARS, converter=_limit)
    url_bytes: int | None = attrs.field(default=limits.URL_MAX_BYTES, converter=_limit)
    email_chars: int | None = attrs.field(default=limits.EMAIL_MAX_CHARS, converter=_limit)
    email_bytes: int | None = attrs.field(default=limits.EMAIL_MAX_BYTES, converter=_limit)
    name: str = "size-limits"

    def check(self, candidate: Candidate) -> Verdict:
        """Reject ``candidate`` if its body is blank or any field is over a limit."""
        author = candidate.author
        if (
            self._fits(candidate.body, self.body_chars, self.body_bytes)
            and self._fits(author.name, self.name_chars, self.name_bytes)
            and self._fits(author.url or "", self.url_chars, self.url_bytes)
            and self._fits(author.email or "", self.email_chars, self.email_bytes)
            and not is_blank(candidate.body)
        ):
            return ACCEPT
        reasons: list[Reason] = []
        if is_blank(candidate.body):
            reasons.append(Reason(self.name, "empty_body", "The comment is empty."))
        measured = (
            (_BODY, candidate.body, self.body_chars, self.body_bytes),
            (_NAME, author.name, self.name_chars, self.name_bytes),
            (_URL, author.url or "", self.url_chars, self.url_bytes),
            (_EMAIL, author.email or "", self.email_chars, self.email_bytes),
        )
        for field, value, max_chars, max_bytes in measured:
            reasons.extend(self._measure(field, value, max_chars, max_bytes))
        if not reasons:
            return ACCEPT
        return Verdict(Action.REJECT, tuple(reasons))

    @staticmethod
    def _fits(value: str, max_chars: int | None, max_bytes: int | None) -> bool:
        """Whether ``value`` is within both limits; encoded only if its length cannot tell.

        A code point takes at most 4 bytes of UTF-8 (a lone surrogate 3), so a value
        of at most ``max_bytes / 4`` characters fits whatever it holds.
        """
        chars = len(value)
        if max_chars is not None and chars > max_chars:
            return False
        return max_bytes is None or chars * 4 <= max_bytes or utf8_size(value) <= max_bytes

    def _measure(
        self, field: _Field, value: str, max_chars: int | None, max_bytes: int | None
    ) -> list[Reason]:
        reasons = []
        chars = len(value)
        if max_chars is not None and chars > max_chars:
            reasons.append(
                Reason(
                    self.name,
                    field.too_long,
                    f"{field.label} is {chars:,} characters long; the limit is {max_chars:,}.",
                )
            )
        size = utf8_size(value) if max_bytes is not None else 0
        if max_bytes is not None and size > max_bytes:
            reasons.append(
                Reason(
                    self.name,
                    field.too_large,
                    f"{field.label} takes {size:,} bytes in UTF-8; the limit is {max_bytes:,}.",
                )
            )
        return reasons
