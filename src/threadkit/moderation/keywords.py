"""``KeywordList``: hold or mark as spam comments that contain listed words."""

from __future__ import annotations

import functools
from collections.abc import Iterable

import attrs

from threadkit.models import Action, Candidate, Reason, Verdict
from threadkit.moderation._text import fold
from threadkit.moderation._verdicts import ACCEPT

__all__ = ["KeywordList"]

# The fields a keyword is looked for in, in the order they are reported.
_FIELDS = ("body", "name", "email", "url", "ip", "user agent")


def _words(words: Iterable[str]) -> tuple[str, ...]:
    if isinstance(words, str):
        words = words.splitlines()
    kept: dict[str, None] = {}  # an ordered set
    for word in words:
        stripped = word.strip()
        if fold(stripped).strip():
            kept[stripped] = None
    return tuple(kept)


@functools.lru_cache(maxsize=64)
def _folded(words: tuple[str, ...]) -> tuple[str, ...]:
    """Fold every word; cached, so once per list rather than once per comment."""
    return tuple(fold(word) for word in words)


@attrs.define
class KeywordList:
    r"""Hold (``hold``) or mark as spam (``spam``) comments containing listed words.

    Like WordPress' "Comment Moderation" and "Disallowed Comment Keys" lists:
    each entry is looked for as a substring ("press" also matches
    "WordPress") in the body, the author's name, email and URL, the IP
    address (so ``203.0.113.`` catches a whole range) and the user agent. Matching ignores case
    and Unicode look-alikes that NFKC normalization folds (fullwidth or
    mathematical letters, ligatures) and zero-width characters. NFKC does not
    fold letters of other scripts that merely look alike (Cyrillic
    "a" for Latin "a").

    Either list may be given as an iterable of words or as one string with
    a word per line (the way WordPress' settings page stores them); blank
    entries are ignored.

    Reason codes: ``spam_keyword`` (action ``SPAM``) and ``hold_keyword``
    (action ``HOLD``); one reason per matching word, naming the word and the
    first field it was found in. A spam match wins over a hold match.

    >>> from threadkit.moderation.keywords import KeywordList
    >>> KeywordList(hold=" casino\n\nloan ", spam=["viagra"]).hold
    ('casino', 'loan')
    """

    hold: tuple[str, ...] = attrs.field(default=(), converter=_words)
    spam: tuple[str, ...] = attrs.field(default=(), converter=_words)
    name: str = "keywords"

    def check(self, candidate: Candidate) -> Verdict:
        """Mark ``candidate`` as spam or hold it if a listed word appears in it."""
        if not (self.hold or self.spam):
            return ACCEPT
        author = candidate.author
        context = candidate.context
        values = (
            candidate.body,
            author.name,
            author.email,
            author.url,
            context.ip,
            context.user_agent,
        )
        haystacks = [
            (field, fold(value)) for field, value in zip(_FIELDS, values, strict=True) if value
        ]
        spam = self._matches(self.spam, haystacks, "spam_keyword", "marked as spam")
        if spam:
            return Verdict(Action.SPAM, tuple(spam))
        hold = self._matches(self.hold, haystacks, "hold_keyword", "held for review")
        if hold:
            return Verdict(Action.HOLD, tuple(hold))
        return ACCEPT

    def _matches(
        self, words: tuple[str, ...], haystacks: list[tuple[str, str]], code: str, outcome: str
    ) -> list[Reason]:
        reasons = []
        for word, needle in zip(words, _folded(words), strict=True):
            for field, haystack in haystacks:
                if needle in haystack:
                    message = f'The {field} contains "{word}", a word {outcome}.'
                    reasons.append(Reason(self.name, code, message))
                    break
        return reasons
