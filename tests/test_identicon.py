"""Locally drawn identicons."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from threadkit.identicon import identicon_svg


def test_same_seed_same_picture() -> None:
    """A seed always draws the same picture, and other seeds draw others."""
    assert identicon_svg("ada") == identicon_svg("ada")
    assert identicon_svg("ada") != identicon_svg("bob")


def test_picture_is_mirrored_valid_svg() -> None:
    """The SVG parses and its cells are symmetric left to right."""
    root = ET.fromstring(identicon_svg("mirror", size=50))
    ns = "{http://www.w3.org/2000/svg}"
    group = root.find(f"{ns}g")
    assert group is not None
    cells = {(float(r.get("x", "")), float(r.get("y", ""))) for r in group.iter(f"{ns}rect")}
    assert cells, "a sha256 digest leaves some cell on"
    mirrored = {(40.0 - x, y) for x, y in cells}
    assert cells == mirrored
