"""Comment HTML from another system: paragraphs added, then sanitized like our own."""

from __future__ import annotations

import re

from threadkit.render import DEFAULT_TAGS, MarkdownRenderer

__all__ = ["IMPORT_TAGS", "autop", "safe_html"]


IMPORT_TAGS = DEFAULT_TAGS | {"b", "i", "cite", "q", "abbr", "strike"}
"""Tags an imported body keeps: threadkit's defaults plus WordPress's comment tags."""

_SANITIZER = MarkdownRenderer(tags=IMPORT_TAGS)
_BLOCKS = (
    "table|thead|tfoot|caption|colgroup|col|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form"
    "|blockquote|address|p|h[1-6]|hr|fieldset|legend|section|article|aside|header|footer"
    "|nav|figure|figcaption|details|summary|menu"
)
_BLOCK_TAG = re.compile(rf"(</?(?:{_BLOCKS})\b[^>]*>)", re.IGNORECASE)
_PRE = re.compile(r"(<pre\b.*?</pre\s*>)", re.IGNORECASE | re.DOTALL)
_OPEN_P = re.compile(r"<p\b", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_HEADING_OPEN = re.compile(r"<h[1-6]\b[^>]*>", re.IGNORECASE)
_HEADING_CLOSE = re.compile(r"</h[1-6]\s*>", re.IGNORECASE)
_P_OPEN_GAP = re.compile(r"(<p\b[^>]*>)\n", re.IGNORECASE)
_P_CLOSE_GAP = re.compile(r"\n</p>", re.IGNORECASE)
_EMPTY_P = re.compile(r"<p>\s*</p>")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def autop(text: str) -> str:
    r"""Add the paragraphs and line breaks WordPress adds when it shows a comment.

    Like WordPress's ``wpautop``, simplified: block-level tags stand on their
    own lines, text between them is wrapped in ``<p>`` (unless the author
    already opened one) with single line breaks kept as ``<br>``; ``<pre>``
    blocks are left alone.

    >>> autop("Hi\nthere\n\n<blockquote>Done</blockquote>")
    '<p>Hi<br>\nthere</p>\n<blockquote>\n<p>Done</p>\n</blockquote>'
    >>> autop("<p>Already\n<b>done</b></p>")
    '<p>Already<br>\n<b>done</b></p>'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    inside_p = False
    for number, part in enumerate(_PRE.split(text)):
        if number % 2:  # a <pre> block
            out.append(part)
            continue
        for chunk in _PARAGRAPH_BREAK.split(_BLOCK_TAG.sub("\n\n\\1\n\n", part)):
            chunk = chunk.strip()
            if not chunk:
                continue
            if _BLOCK_TAG.fullmatch(chunk):
                if chunk[1] == "/":
                    inside_p = inside_p and chunk[2:3].lower() != "p"
                else:
                    inside_p = inside_p or bool(_OPEN_P.match(chunk))
                out.append(chunk)
            elif inside_p:
                out.append(chunk.replace("\n", "<br>\n"))
            else:
                out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return _P_CLOSE_GAP.sub("</p>", _P_OPEN_GAP.sub(r"\1", "\n".join(out)))


def safe_html(body: str) -> str:
    """Make exported HTML safe: add paragraphs, then run the allowlist sanitizer.

    Headings become bold paragraphs; otherwise only :data:`IMPORT_TAGS`
    survive (others are removed, their text kept); scripts and styles go with
    their content, event handlers and ``javascript:`` URLs are removed, links
    get ``rel="nofollow ugc noopener"``.

    >>> safe_html('Hi <b onclick="x()">you</b><script>alert(1)</script>')
    '<p>Hi <b>you</b></p>'
    """
    bolder = _HEADING_CLOSE.sub("</strong></p>", _HEADING_OPEN.sub("<p><strong>", body))
    clean = _EMPTY_P.sub("", _SANITIZER.sanitize(autop(bolder)))
    return _BLANK_LINES.sub("\n", clean).strip("\n")
