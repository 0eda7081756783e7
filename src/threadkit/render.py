r"""Turn a comment's source text into HTML that is safe to put on a page.

Two implementations of the :class:`~threadkit.ports.Renderer` port:

* :class:`MarkdownRenderer` (the engine's default): CommonMark, then an
  allowlist sanitizer. Raw HTML typed into a comment is shown as text, never
  passed through; links may only point to ``http``, ``https`` and ``mailto``
  URLs (or relative ones) and every link gets ``rel="nofollow ugc noopener"``.
* :class:`PlainTextRenderer`: the text escaped, in paragraphs, line breaks kept.

Both run once, when a comment is written; the source is stored too, for edits.

>>> MarkdownRenderer().render("Hi *there*, see <https://example.org>")
'<p>Hi <em>there</em>, see <a href="https://example.org" rel="nofollow ugc noopener">https://example.org</a></p>\n'
>>> MarkdownRenderer().render("<script>alert(1)</script>")
'<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n'
>>> PlainTextRenderer().render("Hi <b>there</b>\nsecond line")
'<p>Hi &lt;b&gt;there&lt;/b&gt;<br>\nsecond line</p>\n'

Two layers keep a comment safe, so a bug in one is not enough:

1. markdown-it-py parses with ``html`` off (raw HTML is escaped) and refuses
   to make a link or image of any URL whose scheme is not allowed (the scheme
   is read the way a browser reads it: after dropping leading control
   characters and spaces and any tab or newline, case-insensitively).
2. nh3 (the Rust ``ammonia`` sanitizer) then re-parses the HTML and keeps
   only allowed tags and attributes and allowed URL schemes; it strips event
   handlers, ``style``, comments, and the content of ``script`` / ``style``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from ._render_fast import normalize_link, simple_html

__all__ = [
    "DEFAULT_TAGS",
    "LINK_REL",
    "URL_SCHEMES",
    "MarkdownRenderer",
    "PlainTextRenderer",
    "url_scheme",
]

DEFAULT_TAGS = frozenset(
    {
        "p",
        "br",
        "em",
        "strong",
        "a",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "del",
        "s",
        "hr",
    }
)
"""The tags a comment may contain by default (no images, no headings)."""

URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""The URL schemes a link (or, when allowed, an image) may use."""

LINK_REL = "nofollow ugc noopener"
"""The ``rel`` every link gets: no search-engine credit, user content, no opener."""

_SCRIPT_SCHEMES = frozenset({"javascript", "data", "vbscript"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# Attributes kept per tag; anything else (on*, style, class, id, ...) is removed.
_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}

# What a browser ignores before and inside a URL's scheme (WHATWG URL parsing):
# leading C0 controls and spaces, and every ASCII tab or newline.
_URL_LEADING = "".join(chr(c) for c in range(0x21))
_URL_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(url: str) -> str | None:
    r"""Return the lower-case scheme a browser would see in ``url``, ``None`` if relative.

    >>> url_scheme(" JaVa\tScRiPt:alert(1)")
    'javascript'
    >>> url_scheme("/path?q=a:b") is None
    True
    """
    cleaned = _URL_TAB_NEWLINE.sub("", url.lstrip(_URL_LEADING))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class MarkdownRenderer:
    r"""Render CommonMark to sanitized HTML (the engine's default renderer).

    ``allow_images`` keeps Markdown images as ``<img>`` (``http``/``https``
    sources only); by default an image becomes a link to it, so a comment
    cannot make readers' browsers load a tracking pixel. ``tags`` replaces
    the allowed tags (:data:`DEFAULT_TAGS`); headings are only parsed as
    headings when a heading tag is allowed, otherwise ``# text`` stays text.
    ``hard_breaks`` (on by default) keeps the line breaks people type in a
    comment box as ``<br>``, as most comment systems do; turn it off for
    strict CommonMark soft breaks. ``~~strike~~`` renders as ``<s>``.

    Bare URLs are not turned into links (CommonMark does not); write
    ``<https://example.org>`` or ``[text](https://example.org)``.

    >>> MarkdownRenderer().render("![cat](https://example.org/cat.png)")
    '<p><a href="https://example.org/cat.png" rel="nofollow ugc noopener">cat</a></p>\n'
    >>> MarkdownRenderer(allow_images=True).render("![cat](https://example.org/cat.png)")
    '<p><img src="https://example.org/cat.png" alt="cat"></p>\n'
    """

    def __init__(
        self,
        *,
        allow_images: bool = False,
        tags: Iterable[str] | None = None,
        hard_breaks: bool = True,
    ) -> None:
        if isinstance(tags, str):
            raise TypeError("tags is a collection of tag names, not one string")
        allowed = set(DEFAULT_TAGS if tags is None else tags)
        if "script" in allowed or "style" in allowed:
            raise ValueError("script and style can never be allowed tags")
        if allow_images:
            allowed.add("img")
        else:
            allowed.discard("img")
        self.allow_images = allow_images
        self.tags = frozenset(allowed)
        self.hard_breaks = hard_breaks
        self._markdown = self._parser()
        # Built once: nh3.clean would turn every setting into Rust sets again on each call.
        self._cleaner = nh3.Cleaner(
            tags=set(self.tags),
            clean_content_tags={"script", "style"},
            attributes={tag: set(names) for tag, names in _ATTRIBUTES.items() if tag in self.tags},
            url_schemes=set(URL_SCHEMES),
            link_rel=LINK_REL,
            strip_comments=True,
        )

    def _parser(self) -> MarkdownIt:
        md = MarkdownIt("commonmark", {"html": False, "breaks": self.hard_breaks})
        md.enable("strikethrough")
        if not self.tags & _HEADINGS:
            md.disable(["heading", "lheading"])
        md.validateLink = _valid_link  # type: ignore[method-assign]
        md.normalizeLink = normalize_link  # type: ignore[method-assign]  # same answers, faster
        md.core.ruler.push("threadkit_defuse", _defuse_attributes)
        if not self.allow_images:
            md.add_render_rule("image", _image_as_link)
        return md

    def render(self, source: str) -> str:
        """Return sanitized HTML for the Markdown ``source``."""
        text = _scalar_values(source)
        # Plain text and simple inline Markdown (most comments: emphasis, plain links)
        # skip the parser: the same HTML in a quarter of the time or less. Either way
        # the sanitizer sees it.
        options = self._markdown.options
        fragment = simple_html(text, breaks=options["breaks"], xhtml=options["xhtmlOut"])
        if fragment is None:
            fragment = self._markdown.render(text)
        return self.sanitize(fragment)

    def sanitize(self, fragment: str) -> str:
        """Clean an HTML ``fragment`` with this renderer's allowlist."""
        return self._cleaner.clean(fragment)


# C0 controls other than tab, line feed and carriage return: invisible on a page,
# and not allowed in XML at all, so one of them in a comment would break the Atom feed.
# DEL and the C1 controls (U+009B is an 8-bit terminal escape) are no text either.
_C0_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _scalar_values(text: str) -> str:
    r"""Drop control characters but tab and newlines; join surrogate pairs, lone ones become U+FFFD.

    A JSON body can carry a lone surrogate escape; no HTML (and no UTF-8) can hold it.

    >>> _scalar_values("a\x01b\x1b[31m\tc\r\n")
    'ab[31m\tc\r\n'
    """
    text = _C0_CONTROLS.sub("", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _valid_link(url: str) -> bool:
    """Markdown-it's link check: only allowed schemes, or relative URLs."""
    scheme = url_scheme(url)
    return scheme is None or scheme in URL_SCHEMES


def _defuse_attributes(state: StateCore) -> None:
    """Drop link titles and image alt texts that read as script URLs.

    Browsers never run them, but no attribute of a comment should hold a
    ``javascript:``, ``data:`` or ``vbscript:`` URL, so nothing downstream
    (a template that copies ``title`` into an ``href``, say) can trip on one.
    """
    for block in state.tokens:
        for token in block.children or []:
            if token.type not in ("link_open", "image"):
                continue
            title = token.attrGet("title")
            if title is not None and url_scheme(str(title)) in _SCRIPT_SCHEMES:
                del token.attrs["title"]
            if token.type == "image" and token.children:
                alt = "".join(child.content for child in token.children)
                if url_scheme(alt) in _SCRIPT_SCHEMES:
                    token.children = []


def _image_as_link(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """Render an image as a link to it, its alt text as the link text."""
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    src = html.escape(str(token.attrGet("src") or ""))
    return f'<a href="{src}">{html.escape(alt or src)}</a>'


class PlainTextRenderer:
    r"""Render text as is: escaped, blank lines make paragraphs, line breaks kept.

    For sites that want no formatting at all. No links are made.

    >>> PlainTextRenderer().render("a & b\r\n\r\n\r\nc")
    '<p>a &amp; b</p>\n<p>c</p>\n'
    """

    def render(self, source: str) -> str:
        """Return the escaped ``source`` as HTML paragraphs."""
        text = _scalar_values(source).replace("\r\n", "\n").replace("\r", "\n")
        out = []
        for paragraph in re.split(r"\n[ \t]*\n", text):
            lines = paragraph.split("\n")
            while lines and not lines[-1].strip():
                lines.pop()
            while lines and not lines[0].strip():
                lines.pop(0)
            if lines:
                out.append("<p>" + "<br>\n".join(html.escape(line) for line in lines) + "</p>\n")
        return "".join(out)
