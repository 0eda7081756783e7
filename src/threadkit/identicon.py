"""Identicons: a small symmetric picture drawn from a hash, made locally.

Commenters without an avatar of their own get one of these instead of a call
to an outside avatar service, so a page with comments makes no request
anywhere else. The same seed always draws the same picture.

>>> svg = identicon_svg("3f2a9c")
>>> svg.startswith("<svg") and svg == identicon_svg("3f2a9c")
True
"""

from __future__ import annotations

import hashlib

__all__ = ["identicon_svg"]

_GRID = 5


def identicon_svg(seed: str, *, size: int = 48) -> str:
    """Return an SVG document (as text) of a 5x5 mirrored identicon for ``seed``.

    The seed may be any string; it is hashed first, so it is never shown.
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    colour = f"hsl({hue},55%,45%)"
    background = f"hsl({hue},40%,92%)"
    cell = size / _GRID
    cells: list[str] = []
    bit = 0
    half = (_GRID + 1) // 2
    for column in range(half):
        for row in range(_GRID):
            on = digest[2 + bit // 8] >> (bit % 8) & 1
            bit += 1
            if not on:
                continue
            for x in {column, _GRID - 1 - column}:
                cells.append(
                    f'<rect x="{x * cell:g}" y="{row * cell:g}" '
                    f'width="{cell:g}" height="{cell:g}"/>'
                )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-hidden="true">'
        f'<rect width="{size}" height="{size}" fill="{background}"/>'
        f'<g fill="{colour}">{"".join(cells)}</g></svg>'
    )
