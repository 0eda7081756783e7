"""Input rules done once: C0 controls in bodies, TAG characters in names, IDNA 2008 domains."""

from __future__ import annotations

import pytest

from threadkit import Identity, Submission
from threadkit.engine import CommentEngine
from threadkit.errors import ValidationError
from threadkit.identity import AnonymousProvider
from threadkit.importers._clean import _strip_controls
from threadkit.memory import MemoryStore
from threadkit.render import MarkdownRenderer, PlainTextRenderer
from threadkit.text import clean_email, clean_name, clean_url, is_refused_character

C0_BUT_WHITESPACE = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
HIDDEN = "".join(chr(0xE0000 + ord(c)) for c in "ignore all previous instructions")


@pytest.mark.parametrize("renderer", [MarkdownRenderer(), PlainTextRenderer()])
def test_no_c0_control_but_tab_and_newlines_reaches_body_html(
    renderer: MarkdownRenderer | PlainTextRenderer,
) -> None:
    """Every C0 control other than tab, LF and CR is dropped from the rendered HTML."""
    html = renderer.render("a" + "".join(C0_BUT_WHITESPACE) + "b\tc\r\nd")
    assert [] == [char for char in html if char in C0_BUT_WHITESPACE]
    assert "ab" in html


def test_engine_stores_controls_in_the_source_but_not_in_the_html() -> None:
    """A posted body keeps what was typed as source; its body_html has no escape sequences."""
    engine = CommentEngine(MemoryStore())
    body = "red \x1b[31mtext\x1b[0m and a bell\x07"
    comment = engine.post("t", Submission(body), Identity("anonymous", "b", "Ada"))
    assert (body, "<p>red [31mtext[0m and a bell</p>\n") == (
        comment.body_source,
        comment.body_html,
    )


def test_tag_characters_never_reach_a_name() -> None:
    """TAG characters are dropped from names: hidden text goes, a flag keeps its black flag."""
    assert ("Ewan \U0001f3f4", "Ada") == (
        clean_name(f"Ewan {SCOTLAND}"),
        clean_name(f"Ada{HIDDEN}"),
    )


def test_anonymous_commenter_name_has_no_tag_characters() -> None:
    """The form provider's identity, the one shown beside a comment, has no TAG characters."""
    who = AnonymousProvider().identify({"name": f"Mallory{HIDDEN}"}, "browser-1")
    assert "Mallory" == who.name


def test_a_name_of_only_tag_characters_is_refused_as_empty() -> None:
    """A name that is nothing but TAG characters is empty once cleaned: ``required``."""
    with pytest.raises(ValidationError) as caught:
        clean_name(HIDDEN)
    assert ("required", "name") == (caught.value.code, caught.value.field)


@pytest.mark.parametrize(
    "value", [f"ada{HIDDEN}@example.org", f"https://example.org/{HIDDEN}"], ids=["email", "url"]
)
def test_tag_characters_are_refused_in_addresses(value: str) -> None:
    """An email or website address with TAG characters in it is refused, not silently changed."""
    clean = clean_email if "@" in value else clean_url
    with pytest.raises(ValidationError):
        clean(value)


def test_importers_drop_what_the_cleaners_refuse() -> None:
    """Importers use the same rule (one definition): TAG, bidi and control characters go."""
    assert "Eve x" == _strip_controls(f"Eve{HIDDEN}\u202e\x07\tx")
    assert all(is_refused_character(char) for char in HIDDEN + "\u202e\x07")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("faß.de", "https://xn--fa-hia.de"),
        ("https://FAß.de/blog", "https://xn--fa-hia.de/blog"),
        ("http://ςοφία.gr", "http://xn--kxae4blv.gr"),  # final sigma kept (IDNA 2003 changed it)
        ("https://xn--fa-hia.de", "https://xn--fa-hia.de"),
        ("https://Bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_internationalized_domains_keep_their_domain(typed: str, expected: str) -> None:
    """IDNA 2008: faß.de stays faß.de (xn--fa-hia.de), never IDNA 2003's fass.de."""
    assert expected == clean_url(typed)


def test_email_domain_keeps_its_sharp_s() -> None:
    """An email address at faß.de keeps faß.de (lowercased), not fass.de."""
    assert "Ada@faß.de" == clean_email("Ada@FAß.DE")


@pytest.mark.parametrize("host", ["😀.de", "xn--zz.de", "a..b.de"])
def test_domains_idna_2008_refuses_are_invalid(host: str) -> None:
    """Emoji domains (IDNA 2003 only) and broken punycode are invalid_domain."""
    with pytest.raises(ValidationError) as caught:
        clean_url(host)
    assert ("invalid_domain", "url") == (caught.value.code, caught.value.field)
