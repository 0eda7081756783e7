"""The embed's look is the comments' look: embed.css's defaults are threadkit.css's.

embed.css is served alone to other sites' pages, so it carries the defaults of the
``--tk-*`` custom properties itself; this test keeps them equal to the one
definition in threadkit-web's threadkit.css (docs/flask.md#theming), but for
``--tk-bg``: the embed never paints the host page's background.
"""

from __future__ import annotations

import re
from pathlib import Path

from threadkit_web import assets

_ROOT = re.compile(r":where\(:root\)\s*\{(.*?)\}", re.S)
_PROPERTY = re.compile(r"(--tk-[\w-]+)\s*:\s*([^;]+);")


def _defaults(path: Path) -> dict[str, str]:
    """The first ``:where(:root)`` block of a stylesheet: property -> default value."""
    found = _ROOT.search(path.read_text(encoding="utf-8"))
    assert found is not None, path
    return dict(_PROPERTY.findall(found[1]))


def test_every_embed_default_is_the_comments_default() -> None:
    """Each property embed.css defines has threadkit.css's value, --tk-bg aside."""
    embed = _defaults(assets.STATIC / "embed.css")
    comments = _defaults(assets.STATIC / "threadkit.css")
    different = {
        name: (value, comments.get(name))
        for name, value in embed.items()
        if name != "--tk-bg" and comments.get(name) != value
    }
    assert ({}, "transparent") == (different, embed["--tk-bg"].split("/*")[0].strip())
