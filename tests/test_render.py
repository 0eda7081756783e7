"""The renderers: Markdown features, an XSS corpus and a safety property for any input."""

from __future__ import annotations

import doctest
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import threadkit.render
from threadkit.ports import Renderer
from threadkit.render import MarkdownRenderer, PlainTextRenderer, url_scheme

SAFE_SCHEMES = {"http", "https", "mailto"}
REL = "nofollow ugc noopener"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "cite", "poster"}


class Audit(HTMLParser):
    """Parse rendered HTML and collect every tag, attribute and oddity in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.oddities: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.oddities.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.oddities.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.oddities.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.oddities.append(f"unknown declaration {data!r}")


def scheme_as_a_browser_reads_it(value: str) -> str | None:
    """The URL scheme after WHATWG's clean-up: leading C0/space dropped, tabs/newlines removed."""
    cleaned = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else None


def problems(
    output: str, allowed_tags: frozenset[str] = threadkit.render.DEFAULT_TAGS
) -> list[str]:
    """Everything unsafe about ``output``; an empty list means it is safe."""
    found = []
    if "<script" in output.lower():
        found.append("<script in output")
    audit = Audit()
    audit.feed(output)
    audit.close()
    found.extend(audit.oddities)
    for tag, attrs in audit.tags:
        if tag not in allowed_tags:
            found.append(f"tag {tag}")
        for name, value in attrs.items():
            if name.startswith("on") or name in ("style", "srcdoc", "target"):
                found.append(f"attribute {name} on {tag}")
            scheme = scheme_as_a_browser_reads_it(value)
            if scheme in ("javascript", "data", "vbscript"):
                found.append(f"{scheme}: in {name} on {tag}")
            if name in URL_ATTRIBUTES and scheme is not None and scheme not in SAFE_SCHEMES:
                found.append(f"scheme {scheme} in {name} on {tag}")
        if tag == "a" and attrs.get("rel") != REL:
            found.append(f"link without rel={REL!r}: {attrs}")
    return found


def links(output: str) -> list[dict[str, str]]:
    audit = Audit()
    audit.feed(output)
    return [attrs for tag, attrs in audit.tags if tag == "a"]


render = MarkdownRenderer().render


# --------------------------------------------------------------------------- XSS corpus

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<a href="https://ok.example" target="_blank" rel="opener">x</a>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<base href="javascript:/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](\u0000javascript:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](data:image/png;base64,iVBORw0KGgo=)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1))',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "![x](javascript:alert(1))",
    '[x](https://ok.example "javascript:alert(1)")',
    "[x](https://ok.example 'java&#x09;script:alert(1)')",
    "[x](https://ok.example (data:text/html,x))",
    '![javascript:alert(1)](https://ok.example/x.png "vbscript:x")',
    '![x" onerror="alert(1)](https://ok.example/x.png)',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<div><p><b>unclosed <i>tags <a href=",
    "<<script>script>alert(1)<</script>/script>",
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version='1.0'?><x onload=alert(1)>",
    "<!DOCTYPE html><html><body onload=alert(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "> <img src=x onerror=alert(1)>",
    "* <svg onload=alert(1)>",
    "*<a href='javascript:alert(1)'>x</a>*",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<a href='https://ok.example'>ok</a>",
]


@pytest.mark.parametrize("source", XSS)
def test_xss_corpus_renders_safely(source: str) -> None:
    """No script, event handler, style or unsafe URL survives any payload in the corpus."""
    assert [] == problems(render(source))


@pytest.mark.parametrize("source", XSS)
def test_sanitizer_alone_cleans_the_corpus_as_raw_html(source: str) -> None:
    """The second layer (nh3) is safe on its own, fed the payloads as raw HTML."""
    assert [] == problems(MarkdownRenderer().sanitize(source))


@pytest.mark.parametrize("source", XSS)
def test_xss_corpus_renders_safely_with_images_allowed(source: str) -> None:
    """With images allowed, the corpus still renders safely (img only with a safe src)."""
    allowed = threadkit.render.DEFAULT_TAGS | {"img"}
    assert [] == problems(MarkdownRenderer(allow_images=True).render(source), allowed)


@pytest.mark.parametrize("source", XSS)
def test_plain_text_renderer_is_safe_on_the_corpus(source: str) -> None:
    """The plain-text renderer makes no tag but p and br of any payload."""
    assert [] == problems(PlainTextRenderer().render(source), frozenset({"p", "br"}))


def test_raw_html_is_shown_as_text() -> None:
    """Raw HTML in the source is escaped, not passed through."""
    expected = '<p>&lt;b onclick="x()"&gt;hi&lt;/b&gt;</p>\n'
    assert expected == render('<b onclick="x()">hi</b>')


@pytest.mark.parametrize(
    "source",
    ["[x](javascript:alert(1))", "[x](data:text/html,hi)", "[x](vbscript:x)", "[x](ftp://a.b)"],
)
def test_links_with_unsafe_schemes_stay_text(source: str) -> None:
    """A Markdown link to a disallowed scheme is not made into a link at all."""
    assert (f"<p>{source}</p>\n", []) == (render(source), links(render(source)))


def test_script_urls_in_titles_and_alt_texts_are_dropped() -> None:
    """A title or alt text that reads as a script URL is left out; ordinary ones stay."""
    renderer = MarkdownRenderer(allow_images=True)
    source = '[a](https://a.example "javascript:x") [b](https://b.example "fine") ![data:x](/i.png)'
    expected = (
        f'<p><a href="https://a.example" rel="{REL}">a</a>'
        f' <a href="https://b.example" title="fine" rel="{REL}">b</a>'
        ' <img src="/i.png" alt=""></p>\n'
    )
    assert expected == renderer.render(source)


def test_every_link_gets_rel_and_no_target() -> None:
    """Links of every kind get rel="nofollow ugc noopener" and no target."""
    source = "[a](https://a.example) <https://b.example> <ada@example.org> [c](/relative)"
    expected = [
        {"href": "https://a.example", "rel": REL},
        {"href": "https://b.example", "rel": REL},
        {"href": "mailto:ada@example.org", "rel": REL},
        {"href": "/relative", "rel": REL},
    ]
    assert expected == links(render(source))


# --------------------------------------------------------------------------- the property


FRAGMENTS = [
    *XSS,
    "<",
    ">",
    "&",
    "&#",
    "&#x",
    '"',
    "'",
    "`",
    "[",
    "]",
    "(",
    ")",
    "!",
    "*",
    "_",
    "~~",
    "\n",
    "\n\n",
    "    ",
    "\t",
    "\x00",
    "\x0c",
    ":",
    "javascript:",
    "java\tscript:",
    "data:",
    "vbscript:",
    "https://ok.example",
    "mailto:",
    "on",
    "onerror=",
    "href=",
    "src=",
    "<a ",
    "<img ",
    "<script",
    "</",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "\\",
    "[x]",
    ' "',
    " '",
    "(https://ok.example ",
]
markup = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=30).map("".join)
# Any code point, lone surrogates included (a JSON body can carry "\ud800").
any_text = st.text() | st.text(st.characters(categories=["Cs"]) | st.characters()) | markup


@settings(max_examples=300)
@given(any_text)
def test_markdown_output_is_safe_for_any_input(source: str) -> None:
    """For any text, the Markdown renderer's output passes the safety audit."""
    assert [] == problems(render(source))


@given(any_text)
def test_markdown_output_with_images_is_safe_for_any_input(source: str) -> None:
    """With images allowed, any text still renders safely (img only with a safe src)."""
    allowed = threadkit.render.DEFAULT_TAGS | {"img"}
    assert [] == problems(MarkdownRenderer(allow_images=True).render(source), allowed)


@given(any_text)
def test_plain_text_output_is_safe_for_any_input(source: str) -> None:
    """For any text, the plain-text renderer makes only p and br tags and nothing unsafe."""
    assert [] == problems(PlainTextRenderer().render(source), frozenset({"p", "br"}))


# --------------------------------------------------------------------------- Markdown features


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "*em* **strong** `code`",
            "<p><em>em</em> <strong>strong</strong> <code>code</code></p>\n",
        ),
        ("~~gone~~", "<p><s>gone</s></p>\n"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
        ("3. c\n4. d", '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>\n'),
        ("```python\nx < 1\n```", "<pre><code>x &lt; 1\n</code></pre>\n"),
        ("a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>\n"),
        ("one\ntwo", "<p>one<br>\ntwo</p>\n"),
        ("# Not a heading", "<p># Not a heading</p>\n"),
        (
            '[t](https://a.example "Title")',
            f'<p><a href="https://a.example" title="Title" rel="{REL}">t</a></p>\n',
        ),
        ("", ""),
    ],
    ids=[
        "inline",
        "strike",
        "quote",
        "list",
        "ordered",
        "fence",
        "rule",
        "hard-break",
        "no-heading",
        "link-title",
        "empty",
    ],
)
def test_markdown_features(source: str, expected: str) -> None:
    """Comment-sized Markdown renders to the allowed tags."""
    assert expected == render(source)


def test_soft_breaks_when_hard_breaks_are_off() -> None:
    """hard_breaks=False keeps CommonMark's soft line breaks."""
    assert "<p>one\ntwo</p>\n" == MarkdownRenderer(hard_breaks=False).render("one\ntwo")


def test_headings_render_when_a_heading_tag_is_allowed() -> None:
    """With h2 among the tags, "## x" is a heading (h1 is still stripped to text)."""
    renderer = MarkdownRenderer(tags=threadkit.render.DEFAULT_TAGS | {"h2"})
    assert "<h2>Two</h2>\nOne\n" == renderer.render("## Two\n# One")


def test_tags_can_be_narrowed() -> None:
    """A renderer allowed only p drops other tags but keeps their text."""
    assert "<p>bold and link</p>\n" == MarkdownRenderer(tags={"p"}).render(
        "**bold** and [link](https://a.example)"
    )


def test_tags_must_be_a_collection_not_a_string() -> None:
    """tags="p" is refused rather than read as the tag names "p"."""
    with pytest.raises(TypeError, match="not one string"):
        MarkdownRenderer(tags="p")


@pytest.mark.parametrize("tag", ["script", "style"])
def test_script_and_style_can_never_be_allowed(tag: str) -> None:
    """Allowing script or style is refused."""
    with pytest.raises(ValueError, match="never be allowed"):
        MarkdownRenderer(tags={"p", tag})


def test_images_become_links_by_default() -> None:
    """Without allow_images an image is a link to its source, its alt text the link text."""
    expected = f'<p><a href="https://a.example/c.png" rel="{REL}">a &lt;cat&gt;</a></p>\n'
    assert expected == render("![a <cat>](https://a.example/c.png)")


def test_images_allowed_keep_only_safe_sources() -> None:
    """With allow_images, http(s) images stay and data: or javascript: ones do not."""
    renderer = MarkdownRenderer(allow_images=True)
    assert (
        '<p><img src="https://a.example/c.png" alt="cat"></p>\n',
        "<p>![x](data:image/png;base64,AAAA)</p>\n",
    ) == (
        renderer.render("![cat](https://a.example/c.png)"),
        renderer.render("![x](data:image/png;base64,AAAA)"),
    )


@pytest.mark.parametrize(
    "text",
    [
        "Great post 👍🏽👨‍👩‍👧‍👦🇺🇦 🏳️‍🌈",
        "مرحبا بالعالم، هذا تعليق",
        "שלום עולם \u200fוגם\u200f English",  # noqa: RUF001
        "Mixed: abc \u202bעברית\u202c def",  # noqa: RUF001
        "日本語のコメント、ありがとう",
    ],
    ids=["emoji", "arabic", "hebrew-rlm", "embedding", "cjk"],
)
def test_emoji_and_rtl_text_survive_unchanged(text: str) -> None:
    """Emoji sequences, RTL scripts and bidi marks come out exactly as they went in."""
    assert (f"<p>{text}</p>\n", f"<p>{text}</p>\n") == (
        render(text),
        PlainTextRenderer().render(text),
    )


@pytest.mark.parametrize("renderer", [MarkdownRenderer(), PlainTextRenderer()])
def test_lone_surrogates_become_replacement_characters(renderer: Renderer) -> None:
    """A lone surrogate becomes U+FFFD and a split surrogate pair is joined, not an error."""
    assert "<p>a\ufffdb\U0001f600</p>\n" == renderer.render("a\ud800b\ud83d\ude00")


# --------------------------------------------------------------------------- plain text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>\n"),
        ("\"q\" 'a'", "<p>&quot;q&quot; &#x27;a&#x27;</p>\n"),
        ("one\ntwo", "<p>one<br>\ntwo</p>\n"),
        ("one\r\ntwo\r\n\r\nthree", "<p>one<br>\ntwo</p>\n<p>three</p>\n"),
        ("one\n  \n\n\ntwo", "<p>one</p>\n<p>two</p>\n"),
        ("*not markdown*", "<p>*not markdown*</p>\n"),
        ("\n\n", ""),
        ("  \n  indented\n   \n", "<p>  indented</p>\n"),
    ],
    ids=["escape", "quotes", "break", "crlf", "blank-lines", "no-markdown", "blank", "edges"],
)
def test_plain_text_renderer(source: str, expected: str) -> None:
    """Plain text is escaped, blank lines split paragraphs and line breaks stay."""
    assert expected == PlainTextRenderer().render(source)


# --------------------------------------------------------------------------- misc


@pytest.mark.parametrize("renderer", [MarkdownRenderer(), PlainTextRenderer()])
def test_renderers_satisfy_the_renderer_port(renderer: object) -> None:
    """Both renderers are Renderers."""
    assert isinstance(renderer, Renderer)


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://a.example", "https"),
        (" \x01JaVaScRiPt:alert(1)", "javascript"),
        ("java\tscr\nipt:x", "javascript"),
        ("/path?a=b:c", None),
        ("//host.example/x", None),
        ("java\x00script:x", None),
        ("", None),
    ],
)
def test_url_scheme_reads_schemes_like_a_browser(url: str, scheme: str | None) -> None:
    """url_scheme drops leading controls and inner tabs/newlines, and finds no scheme in paths."""
    assert scheme == url_scheme(url)


def test_docstring_examples_run() -> None:
    """The examples in threadkit.render's docstrings are true."""
    failures, _ = doctest.testmod(threadkit.render)
    assert 0 == failures


@pytest.mark.parametrize(
    "output",
    [
        "<script>x</script>",
        '<p onclick="x">a</p>',
        '<a href="java&#x09;script:x" rel="nofollow ugc noopener">a</a>',
        '<a href=" JAVASCRIPT:x" rel="nofollow ugc noopener">a</a>',
        '<a href="ftp://x" rel="nofollow ugc noopener">a</a>',
        '<a href="https://x">no rel</a>',
        '<a href="https://x" rel="nofollow ugc noopener" target="_blank">a</a>',
        '<img src="data:image/png,x">',
        '<p title="vbscript:x">a</p>',
        "<iframe></iframe>",
        "<!-- comment -->",
        "<![CDATA[x]]>",
    ],
)
def test_the_safety_audit_catches_unsafe_html(output: str) -> None:
    """The audit used by the properties above does flag each kind of unsafe output."""
    assert [] != problems(output)
