"""Simple inline Markdown (emphasis, links, code) skips markdown-it, same bytes (issue 12)."""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from threadkit._render_fast import simple_html
from threadkit.render import MarkdownRenderer, _scalar_values

# The renderer's configurations that parse differently: the default, strict soft breaks,
# and headings and images allowed.
RENDERERS = [
    MarkdownRenderer(),
    MarkdownRenderer(hard_breaks=False),
    MarkdownRenderer(tags={"p", "br", "h1", "h2", "em", "strong", "a"}, allow_images=True),
]

URLS = [
    "https://example.org/docs/paging",
    "http://a.b/c_d?e=f&g=h#i",
    "https://x.y",
    "https://a_b.c",
    "https://e.org/a b",
    "https://e.org/(x)",
    "https://e.org/a;b",
    "https://e.org/&amp;",
    "/relative",
    "mailto:a@b.c",
    "javascript:alert(1)",
    "<https://x.y>",
    'https://x.y "title"',
    "",
]
WORDS = ["I", "really", "liked", "PostgreSQL", "café", "日本語", "Ελληνικά", "a>b", '"q"', "it's"]
# Every character Markdown or HTML treats specially, delimiter runs, pieces of links,
# spaces and line ends of every kind, letters that are not ASCII, emoji and entities.
PIECES = [
    *string.punctuation,
    "*",
    "**",
    "***",
    "_",
    "__",
    "](",
    "[a](https://x.y)",
    "![a](https://x.y)",
    " ",
    "  ",
    "    ",
    "\n",
    "\r\n",
    "\n\n",
    "\t",
    "\u00a0",
    "\u3000",
    "\u2028",
    "\x85",
    "é",
    "👍",
    "—",
    "«",
    "“",
    "&amp;",
    "&#60;",
    "& ",
    "&",
    "Q&A",
    "&copy;",
    "&#x41;",
    "&#;",
    "&;",
    "&a b;",
    "< ",
    "1. ",
    "3.14",
    "+1",
    "#2",
    "-a",
    "snake_case",
    "__init__",
    "`",
    "``",
    "`code`",
    "` x `",
    "`` a`b ``",
    "```",
    "~",
    "~5",
    "~~",
]

_word = st.sampled_from(WORDS)
_link = st.builds(
    lambda text, url: f"[{text}]({url})",
    st.sampled_from(["the docs", "a", " x ", "a_b", "*a*", "a]b", "日本", "!"]),
    st.sampled_from(URLS),
)
_emphasis = st.builds(
    lambda mark, word, tail: mark + word + tail + mark[::-1],
    st.sampled_from(["*", "**", "_", "__", "***", "*_", "**_"]),
    _word,
    st.sampled_from(["", " x", "*", "_", " [a](https://x.y)"]),
)
_token = st.one_of(_word, _word, _link, _emphasis, st.sampled_from(PIECES))
_glue = st.sampled_from(["", " ", " ", "  ", "\n", "\n\n", ", ", ". ", " * ", " _ ", "!", "("])
# Comment-like text: words, emphasis and links glued with spaces, punctuation and line ends.
_comment = st.lists(st.tuples(_token, _glue), max_size=14).map(
    lambda pairs: "".join(token + glue for token, glue in pairs)
)
# Mostly what the shortcut takes, so its own output is compared often.
_simple_token = st.one_of(
    _word,
    st.builds(
        lambda mark, word: mark + word + mark, st.sampled_from(["*", "**", "_", "__"]), _word
    ),
    st.builds(lambda word: f"[{word}](https://example.org/a_b?c=1&d=2)", _word),
    st.sampled_from(["a * b", "snake_case", "Q&A", "& ", "< ", "!", "]", "+1", "2019", "~5"]),
    st.builds(lambda word: f"`{word}`", _word),
)
_simple_glue = st.sampled_from(
    ["", " ", " ", "  ", "\n", "\n  ", "\n\n", ", ", ". ", "(", ")", "'"]
)
_simple_comment = st.lists(st.tuples(_simple_token, _simple_glue), max_size=14).map(
    lambda pairs: "".join(token + glue for token, glue in pairs)
)
_any_text = st.one_of(
    _comment,
    _simple_comment,
    _simple_comment,
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
)


def markdown_it_html(renderer: MarkdownRenderer, text: str) -> str:
    """What the parser alone makes of ``text`` (as render() would hand it over)."""
    md: MarkdownIt = renderer._markdown
    html: str = md.render(_scalar_values(text))
    return html


def fast_html(renderer: MarkdownRenderer, text: str) -> str | None:
    """What the shortcut makes of ``text`` with ``renderer``'s options."""
    options = renderer._markdown.options
    return simple_html(_scalar_values(text), breaks=options["breaks"], xhtml=options["xhtmlOut"])


TRICKY = [
    "*a*",
    "**a**",
    "_a_",
    "__a__",
    "***a***",
    "*a**",
    "**a*",
    "*a*b*",
    "a*b*c",
    "a_b_c",
    "*a_b*",
    "_a*b_",
    "*_a_*",
    "**a** *b*",
    "*a* *b* _c_ __d__",
    "5 * 3 * 2",
    "a ** b",
    "*a\nb*",
    "*a  \nb*",
    "**a\n\nb**",
    "*a*.",
    "(*a*)",
    '"*a*"',
    "*a*👍",
    "👍*a*",
    "*👍*",
    "*é*",
    "*a\u00a0*",
    "*a*\u00a0b",
    "__init__",
    "snake_case_name",
    "x__y__z",
    "*see [a](https://x.y)*",
    "[a](https://x.y)*b*",
    "*b*[a](https://x.y)",
    "[*a*](https://x.y)",
    "[a](https://x.y)[b](https://x.y)",
    "[a] (https://x.y)",
    '[a](https://x.y "t")',
    "[a](<https://x.y>)",
    "[a](https://x.y) ]",
    "] [a](https://x.y)",
    "![a](https://x.y)",
    "!\n[a](https://x.y)",
    "[a](https://x.y)\n[b]: https://z.w",
    "[a]: https://x.y\n\n[a](https://x.y)",
    "[](https://x.y)",
    "[ a ](https://x.y)",
    "[a](javascript:alert(1))",
    "[a](https://" + "b" * 64 + ".org)",
    "[a](https://x.y/?q=1&amp;r=2)",
    "a & b",
    "a &amp; b",
    "a &",
    "a <",
    "a < b",
    "a <b> c",
    "a &\nb",
    "Q&A",
    "AT&T;",
    "a &copy; b",
    "a &nosuch; b",
    "a &#1234567; b",
    "a &x b;",
    "a <\nb>",
    "use `x = 1` here",
    "`` a ` b ``",
    "` `",
    "`  a  `",
    "`a",
    "`a` `b",
    "`a\nb`",
    "`*a*` *b*",
    "*a `b` c*",
    "`a`*b*",
    "*`a`*",
    "[`a`](https://x.y)",
    "`[a](https://x.y)`",
    "```a```",
    "```\na\n```",
    "~~~\na\n~~~",
    "a\n```js",
    "a ~5 min",
    "~a~",
    "~~a~~",
    "a~~",
    "+1 from me",
    "+ 1",
    "-a",
    "- a",
    "#1 fan",
    "# a",
    "#",
    "2019 was a year",
    "3.14 is pi",
    "1. a",
    "1.",
    "10) a",
    "a\n=b",
    "a\n==",
    "a\n---",
    "**bold** start",
    "*em* start",
    "__b__ start",
    "_e_ start",
    "* a",
    "** a",
    "***",
    "_ _ _",
    "a\n*b*",
    "a\n* b",
    "a\n**b**",
    "   *a*",
    "    *a*",
    "*a*  \nb",
    "a *b*  ",
]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("text", TRICKY)
def test_simple_html_is_markdown_its_html_on_tricky_text(
    renderer: MarkdownRenderer, text: str
) -> None:
    """Runs of * and _ by their neighbours, links and their look-alikes, block starts."""
    assert fast_html(renderer, text) in (None, markdown_it_html(renderer, text))


@settings(max_examples=1500, deadline=None)
@given(text=_any_text)
@example("I *really* liked the part about **PostgreSQL**, see [the docs](https://x.y/a?b=1&c=2).")
def test_simple_html_is_markdown_its_html_or_nothing(text: str) -> None:
    """On any text, in every configuration, the shortcut declines or gives markdown-it's bytes."""
    for renderer in RENDERERS:
        assert fast_html(renderer, text) in (None, markdown_it_html(renderer, text))


@settings(max_examples=300, deadline=None)
@given(text=_any_text, which=st.integers(0, len(RENDERERS) - 1))
def test_render_is_the_full_parse_then_the_sanitizer(text: str, which: int) -> None:
    """render() gives what parsing every comment and sanitizing it gives."""
    renderer = RENDERERS[which]
    assert renderer.sanitize(markdown_it_html(renderer, text)) == renderer.render(text)


SIMPLE = [
    "I *really* liked the part about indexes; it matches what we saw in production.",
    "Has anyone tried this with **PostgreSQL** replicas? The numbers would be interesting.",
    "See [the docs](https://example.org/docs/paging) for the keyset pagination details.",
    "I _do_ think __init__ and snake_case stay text, 5 * 3 too. Q&A? Q & A, a < b.",
    "+1 from me.\n2019 was a *good* year  \nfor [PostgreSQL](https://www.postgresql.org/docs/).",
    "**日本語** のコメント、*Ελληνικά*, café 👍\r\n\r\nSecond paragraph.",
    "Call `engine.post()` first, it takes ~5 ms; `` a`b `` too.",
]


@pytest.mark.parametrize("text", SIMPLE)
def test_simple_markdown_skips_the_parser(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Emphasis, plain links and code are rendered without markdown-it (the shortcut is taken)."""
    for renderer in RENDERERS:
        expected = renderer.sanitize(markdown_it_html(renderer, text))

        def refuse(source: str) -> str:
            raise AssertionError(f"parsed {source!r}")

        monkeypatch.setattr(renderer._markdown, "render", refuse)
        assert expected == renderer.render(text)
        monkeypatch.undo()


def test_links_keep_their_safety_attributes() -> None:
    """A link taken by the shortcut still gets the sanitizer's rel, and its & escaped."""
    expected = (
        '<p>see <a href="https://x.y/a?b=1&amp;c=2" rel="nofollow ugc noopener">docs</a></p>\n'
    )
    assert expected == MarkdownRenderer().render("see [docs](https://x.y/a?b=1&c=2)")
