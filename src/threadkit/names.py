r"""Display names that cannot pass for someone else's.

Two questions about a name a commenter typed in:

* **Is anything visible?** ``require_visible_name`` refuses a name made only
  of spaces, zero-width characters, variation selectors, combining marks and
  the like: on the page it would look like no name at all.
* **Does it look like another name?** ``name_key`` folds a name to what a
  reader sees: NFKC (fullwidth ``\uff41\uff44\uff4d\uff49\uff4e`` is
  ``admin``), without default-ignorable code points (``ad\u200bmin`` is
  ``admin``), through the Unicode TR39 confusable *skeleton* (``\u0430dmin``,
  with a Cyrillic a, is ``admin``), case-folded and with whitespace collapsed.
  Two names with the same key read the same.
  :class:`threadkit.moderation.ImpersonationGuard` compares an anonymous
  commenter's key with those of verified authors, moderators and the names a
  site reserves.

Why ``confusable-homoglyphs``: TR39's skeleton is ``NFD(map(NFD(text)))``
where ``map`` replaces each code point by its prototype from Unicode's
``confusables.txt``. Neither candidate on PyPI computes that function:
``confusables`` answers "could these two strings be confused" pairwise and
offers lower-cased ASCII guesses (``normalize``), with data last released in
2021; ``confusable-homoglyphs`` (released 2024) ships ``confusables.txt`` as
data (``confusables_data``: every source code point with its prototype, and
every prototype with its sources) plus script detection. We take its data and
apply TR39's definition here: each source-prototype pair is one edge, every
connected set of code points shares one key (a multi-character prototype such
as ``rn`` for ``m`` is spelled out), so ``skeleton(a) == skeleton(b)``
exactly when TR39's skeletons are equal. The table is built once, lazily.

The default-ignorable code points are Unicode's ``Default_Ignorable_Code_Point``
property (``DerivedCoreProperties.txt``), which :mod:`unicodedata` does not
expose; the ranges are listed below.

>>> fullwidth, zero_width, cyrillic = "\uff41\uff44\uff4d\uff49\uff4e", "ad\u200bmin", "\u0430dmin"
>>> len({name_key(name) for name in (fullwidth, zero_width, cyrillic, "Admin")})
1
>>> name_key("Ada") == name_key("Bob")
False
"""

from __future__ import annotations

import functools
import re
import unicodedata

from .errors import ValidationError

__all__ = ["has_visible_character", "name_key", "require_visible_name", "skeleton"]

#: ``Default_Ignorable_Code_Point`` (Unicode 15.1, DerivedCoreProperties.txt), as ranges.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
#: What a name needs at least one of to be seen: a letter, digit, punctuation or symbol.
_VISIBLE_CATEGORIES = frozenset("LNPS")
#: Symbols by category that fonts draw as nothing (the usual "invisible name" characters):
#: read as spaces, so they neither make a name visible nor disguise a reserved one.
_BLANK_SYMBOLS = frozenset("\u2800\U0001d159")
# The data marks right-to-left characters with U+200E for display; not part of them.
_LRM = "\u200e"
# name_key runs on every anonymous post: one regex pass and one translate, not a loop per char.
_IGNORABLE_RANGES = "".join(
    f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _IGNORABLE
)
_IGNORABLE_CHARS = re.compile(f"[{_IGNORABLE_RANGES}]+")
_BLANK_AS_SPACE = {ord(char): " " for char in _BLANK_SYMBOLS}
_ASCII_GRAPHIC = re.compile("[!-~]")


def is_default_ignorable(char: str) -> bool:
    """Whether ``char`` is a default-ignorable code point (drawn as nothing)."""
    point = ord(char)
    return any(low <= point <= high for low, high in _IGNORABLE)


def has_visible_character(name: str) -> bool:
    """Whether ``name`` has a letter, digit, punctuation mark or symbol a reader can see."""
    if _ASCII_GRAPHIC.search(name):  # every one is a letter, digit, punctuation or symbol
        return True
    return any(
        unicodedata.category(char)[0] in _VISIBLE_CATEGORIES
        and not is_default_ignorable(char)
        and char not in _BLANK_SYMBOLS
        for char in name
    )


def require_visible_name(name: str, *, field: str = "name") -> str:
    """Return ``name``; refuse one a reader would see as blank.

    Raises ``ValidationError`` with code ``invisible_name`` for a name of
    spaces, zero-width characters, variation selectors or lone combining marks.
    """
    if not has_visible_character(name):
        raise ValidationError(
            "invisible_name",
            "The name has no visible letter, digit or symbol; please type a name people can read.",
            field=field,
        )
    return name


def _rank(char: str) -> tuple[bool, bool, str]:
    """Order class keys: ASCII letters first (so case folding still applies), then ASCII."""
    return (not char.isascii(), not char.isalpha(), char)


@functools.cache
def _prototypes() -> dict[str, str]:
    """Map every confusable code point to its class's key (built once, lazily)."""
    from confusable_homoglyphs.confusables import confusables_data

    parent: dict[str, str] = {}

    def find(item: str) -> str:
        root = item
        while parent.get(root, root) != root:
            root = parent[root]
        while item != root:  # path compression keeps later finds short
            parent[item], item = root, parent[item]
        return root

    spelled: dict[str, str] = {}  # a code point whose prototype is several code points
    for source, entries in confusables_data.items():
        for entry in entries:
            other = entry["c"].replace(_LRM, "")
            if len(other) == 1 and len(source) == 1:
                a, b = find(source), find(other)
                if a != b:
                    better, worse = sorted((a, b), key=_rank)
                    parent[worse] = better
            elif len(source) == 1 and len(other) > 1:
                spelled[source] = other
    table = {char: find(char) for char in list(parent)}
    for char, prototype in spelled.items():
        table[char] = "".join(table.get(part, part) for part in prototype)
    return table


@functools.cache
def _translation() -> dict[int, str]:
    """:func:`_prototypes` keyed by code point, for ``str.translate`` (built once, lazily)."""
    return {ord(char): key for char, key in _prototypes().items()}


def skeleton(text: str) -> str:
    """Return the TR39 confusable skeleton of ``text`` (equal skeletons look alike).

    The characters of a skeleton are class keys, not necessarily the
    prototypes TR39 prints; compare skeletons with each other, do not show them.
    """
    mapped = unicodedata.normalize("NFD", text).translate(_translation())
    return unicodedata.normalize("NFD", mapped)


def name_key(name: str) -> str:
    """Return what ``name`` looks like to a reader, for comparing names.

    NFKC-folded, default-ignorable code points removed, TR39 skeleton, case
    folded (then the skeleton again, since folding makes new look-alikes),
    whitespace collapsed. ``""`` for a name with nothing visible.
    """
    text = unicodedata.normalize("NFKC", name)
    text = _IGNORABLE_CHARS.sub("", text).translate(_BLANK_AS_SPACE)
    text = skeleton(skeleton(text).casefold())
    return " ".join(text.split())
