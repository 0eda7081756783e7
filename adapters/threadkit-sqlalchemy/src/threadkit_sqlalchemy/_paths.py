"""Byte-order sortable materialized paths.

A path is the concatenation of one segment per storage level. A segment is an
ordinal (1, 2, ...: the order in which a comment joined its storage parent, or
its thread for a top-level comment) written as a length digit followed by that
many base-62 digits from ``0-9A-Za-z``, an alphabet in ASCII order. Shorter
numbers sort first because their length digit is smaller, so comparing paths
byte by byte gives depth-first order with siblings in creation order.

Every character of a path sorts below ``~``, so the descendants of ``p`` are
exactly the paths ``q`` with ``p < q < p + "~"``.

>>> segment(1), segment(61), segment(62)
('11', '1z', '210')
>>> sorted([segment(62), segment(9), segment(61)]) == [segment(9), segment(61), segment(62)]
True
>>> split_last(segment(3) + segment(62))
('13', 1)
"""

from __future__ import annotations

__all__ = ["ALPHABET", "END", "MAX_ORDINAL", "MAX_SEGMENT", "segment", "split_last"]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
END = "~"
MAX_DIGITS = 6
MAX_SEGMENT = MAX_DIGITS + 1
"""The longest a segment can be, in bytes."""
MAX_ORDINAL = 62**MAX_DIGITS - 1
"""The largest ordinal a segment can hold (about 5.7e10 children per parent)."""


def segment(ordinal: int) -> str:
    """Encode a positive ordinal as one sortable path segment."""
    if not 0 < ordinal <= MAX_ORDINAL:
        raise ValueError(f"path ordinal {ordinal} out of range 1..{MAX_ORDINAL}")
    digits: list[str] = []
    while ordinal:
        ordinal, rest = divmod(ordinal, 62)
        digits.append(ALPHABET[rest])
    return str(len(digits)) + "".join(reversed(digits))


def split_last(path: str) -> tuple[str, int]:
    """Return ``path`` without its last segment, and the storage depth of that segment.

    A top-level comment's path has depth 0 and gives ``""``. A path that is
    not made of whole segments raises ``ValueError`` or ``IndexError``.
    """
    start = index = 0
    depth = -1
    while index < len(path):
        start = index
        index += 1 + int(path[index])
        depth += 1
    return path[:start], depth
