"""The renderer's shortcuts give markdown-it's exact bytes, on any text (issue 12)."""

from __future__ import annotations

import doctest
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink

import threadkit._render_fast
from threadkit._render_fast import _PLAIN_URL, normalize_link, simple_html
from threadkit.render import MarkdownRenderer, _scalar_values

# The renderer's configurations that parse differently: the default, strict soft breaks,
# and headings allowed (``#`` and setext underlines become blocks).
RENDERERS = [
    MarkdownRenderer(),
    MarkdownRenderer(hard_breaks=False),
    MarkdownRenderer(tags={"p", "br", "h1", "h2", "em", "a"}, allow_images=True),
]

# Every character Markdown or HTML treats specially, every kind of space and line end,
# digits (ordered lists), and some letters that are not ASCII.
SPECIAL = [
    *string.punctuation,
    " ",
    "  ",
    "    ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x00",
    "\x85",
    "\u00a0",
    "\u2028",
    "\u3000",
    "\u200b",
    "\ufeff",
    "\ud800",
]
WORDS = ["a", "Ab", "x y", "12", "1.", "2)", "é", "日本", "👍", "http://x", "&amp;", "&#60;"]

_pieces = st.sampled_from(SPECIAL + WORDS)
# Mostly plain lines (so the shortcut is taken often), some with any special character.
_line = st.tuples(
    st.integers(0, 5),
    st.lists(
        st.sampled_from(["word", "two words", "Word.", '"quoted"', "it's", "(so)", "Yes!", "a>b"])
    ),
    st.lists(_pieces, max_size=2),
    st.integers(0, 3),
).map(lambda t: " " * t[0] + " ".join(t[1]) + "".join(t[2]) + " " * t[3])
_text = st.lists(
    st.tuples(_line, st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\n \n", "\n\n\n", ""])),
    max_size=6,
).map(lambda pairs: "".join(line + end for line, end in pairs))
_any_text = st.one_of(_text, st.lists(_pieces, max_size=12).map("".join), st.text(max_size=30))

TRICKY = [
    "",
    " ",
    "\n\n",
    "a",
    "a  \nb",
    "a \nb",
    "a   \n   b",
    "   a",
    "    a",
    "a\n    b",
    "a\n\n    b",
    "1. a",
    "a\n1) b",
    "2019 was a year",
    " 3 a",
    "- a",
    "+ a",
    "* a",
    "# a",
    "a\n===",
    "a\n---",
    "> a",
    '"q" and "r"',
    "a\r\nb",
    "a\rb",
    "a\r\n\r\nb",
    "a\n\n\nb",
    "a\n   \nb",
    "a\u00a0",
    "\u00a0a",
    "a\tb",
    "a\u2028b",
    "a\u3000",
    "tail  ",
    "a  \n\nb",
    "Great post. Bookmarked.",
    "Great!",
    "a > b",
    "x ] y",
    "!",
    "a ![",
    "a !\n[b]",
    " > x",
    "a\n> b",
]


def markdown_it_html(renderer: MarkdownRenderer, text: str) -> str:
    """What the parser alone makes of ``text`` (as render() would hand it over)."""
    md: MarkdownIt = renderer._markdown
    html: str = md.render(_scalar_values(text))
    return html


def test_the_module_examples_run() -> None:
    """The doctests in threadkit._render_fast pass."""
    assert 0 == doctest.testmod(threadkit._render_fast).failed


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("text", TRICKY)
def test_plain_html_is_markdown_its_html_on_tricky_text(
    renderer: MarkdownRenderer, text: str
) -> None:
    """Hard and soft breaks, indents, list and heading starts, quotes, line endings, spaces."""
    options = renderer._markdown.options
    fast = simple_html(_scalar_values(text), breaks=options["breaks"], xhtml=options["xhtmlOut"])
    assert fast in (None, markdown_it_html(renderer, text))


@settings(max_examples=600, deadline=None)
@given(text=_any_text, which=st.integers(0, len(RENDERERS) - 1))
def test_plain_html_is_markdown_its_html_or_nothing(text: str, which: int) -> None:
    """On any text the shortcut either declines or gives markdown-it's HTML, byte for byte."""
    renderer = RENDERERS[which]
    options = renderer._markdown.options
    fast = simple_html(_scalar_values(text), breaks=options["breaks"], xhtml=options["xhtmlOut"])
    assert fast in (None, markdown_it_html(renderer, text))


@settings(max_examples=300, deadline=None)
@given(text=_any_text, which=st.integers(0, len(RENDERERS) - 1))
def test_render_is_the_full_parse_then_the_sanitizer(text: str, which: int) -> None:
    """render() gives what parsing every comment and sanitizing it gives."""
    renderer = RENDERERS[which]
    assert renderer.sanitize(markdown_it_html(renderer, text)) == renderer.render(text)


@pytest.mark.parametrize(
    "text",
    [
        "Great post. Bookmarked.",
        "Thanks! 3 > 2 (sic), a ] alone.",
        "Disagree: a flat list is fine for most blogs, nesting is overrated.",
        "日本語のコメントも表示されますか。Ελληνικά too? 👍",
        'He said "fine" (twice); it\'s 10% faster, 2x even.\r\n\r\nSecond paragraph  \nline',
    ],
)
def test_a_comment_without_markdown_skips_the_parser(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ordinary text is rendered without markdown-it (the shortcut is actually taken)."""
    renderer = MarkdownRenderer()
    expected = renderer.render(text)

    def refuse(source: str) -> str:
        raise AssertionError(f"parsed {source!r}")

    monkeypatch.setattr(renderer._markdown, "render", refuse)
    assert expected == renderer.render(text)


URLS = [
    "https://example.org/",
    "https://example.org",
    "http://a.b/c/d?e=f&g=h#i",
    "https://a?x#y?z",
    "https://Example.ORG//x/",
    "https://" + "a" * 63 + ".org/",
    "https://" + "a" * 64 + ".org/",
    "https://" + "a." * 130 + "org/",
    "https://exa_mple.org/",
    "https://example.org:8080/",
    "https://user@example.org/",
    "https://example.org/%41%zz",
    "https://example.org/a b",
    "https://bücher.example/",
    "https://example.org/ü",
    "https://[::1]/",
    "HTTPS://EXAMPLE.ORG/",
    "mailto:ada@example.org",
    "/relative/path",
    "javascript:alert(1)",
    "https://example.org/'quote'",
    "https://example.org/\\",
]


@pytest.mark.parametrize("url", URLS)
def test_normalize_link_is_markdown_its_on_examples(url: str) -> None:
    """Hosts at and over mdurl's limits, ports, users, escapes, IDNs, other schemes."""
    assert normalizeLink(url) == normalize_link(url)


_url_text = st.lists(
    st.sampled_from([*string.printable, "ü", "ß", "\u3002", "..", "//", "%2", "%41"]),
    max_size=12,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(
    url=st.one_of(
        st.from_regex(_PLAIN_URL, fullmatch=True),
        st.tuples(st.from_regex(_PLAIN_URL, fullmatch=True), _url_text).map("".join),
        st.tuples(st.sampled_from(["https://", "http://", "//", ""]), _url_text).map("".join),
    )
)
def test_normalize_link_is_markdown_its(url: str) -> None:
    """On plain web URLs, plain ones with anything appended, and any text: the same answer."""
    assert normalizeLink(url) == normalize_link(url)
