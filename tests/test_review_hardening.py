"""Issue #11 review: blank-drawing symbols in names; control characters in bodies.

U+2800 BRAILLE PATTERN BLANK and U+1D159 MUSICAL SYMBOL NULL NOTEHEAD are
visible symbols by category but draw nothing: the classic "invisible name",
and a way to pad a reserved name so it looks the same.
"""

from __future__ import annotations

import pytest

from threadkit.errors import ValidationError
from threadkit.names import name_key, require_visible_name
from threadkit.ports import Renderer
from threadkit.render import MarkdownRenderer, PlainTextRenderer

BLANK_SYMBOLS = ["\u2800", "\U0001d159"]


@pytest.mark.parametrize("blank", BLANK_SYMBOLS)
def test_a_name_of_blank_symbols_is_refused_as_invisible(blank: str) -> None:
    """A name made only of symbols that draw nothing is invisible_name."""
    with pytest.raises(ValidationError) as caught:
        require_visible_name(blank * 3)
    assert "invisible_name" == caught.value.code


@pytest.mark.parametrize("blank", BLANK_SYMBOLS)
@pytest.mark.parametrize("spelled", ["Demo{}Moderator", "Demo Moderator{}", "{}Demo Moderator"])
def test_blank_symbols_in_a_name_read_as_a_space(blank: str, spelled: str) -> None:
    """A reserved name padded or spaced with blank symbols has the reserved name's key."""
    assert name_key("Demo Moderator") == name_key(spelled.format(blank))


@pytest.mark.parametrize("renderer", [MarkdownRenderer(), PlainTextRenderer()])
def test_del_and_c1_controls_never_reach_body_html(renderer: Renderer) -> None:
    """DEL and C1 controls (U+0080-U+009F, e.g. the 8-bit CSI U+009B) are dropped like C0 ones."""
    assert "<p>ab31mc</p>\n" == renderer.render("a\x85b\x9b31m\x7fc\x9f")
