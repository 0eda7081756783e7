"""Shortcuts that give markdown-it's exact output for the inputs most comments are.

:class:`threadkit.render.MarkdownRenderer` parses every comment with markdown-it
(CommonMark, ``html`` off); that parse is most of a post's own CPU time (issue 12).
Two common cases need none of it:

* :func:`plain_html`: text in which no Markdown rule can match (most comments)
  is paragraphs and line breaks, escaped;
* :func:`normalize_link`: a plain ``http(s)`` link is one markdown-it's URL
  normalizer (parse, punycode, re-encode) returns unchanged.

Each answers exactly what markdown-it would, byte for byte, or hands the input
back to it; ``tests/test_render_fast.py`` compares both on generated text made
of every character Markdown or HTML treats specially. The sanitizer still runs
on the result, as on any other.
"""

from __future__ import annotations

import re

from markdown_it.common.normalize_url import normalizeLink

__all__ = ["normalize_link", "plain_html"]

# A character some inline rule starts at (backslash escape, code span, strikethrough,
# emphasis, link or image, autolink, entity), or whitespace other than space and line
# breaks (a tab is indentation, a Unicode space trims differently): markdown-it reads
# the text. Without a "[", "]" and "!" are text; so is ">" inside a line.
_INLINE = re.compile(r"[\\`*_~\[<&]|[^\S \n\r]")
# A line that may open a block other than a paragraph: four spaces (code), or, after up
# to three, a bullet, a digit (ordered list), a quote, a heading, a setext underline or
# a thematic break.
_BLOCK_START = re.compile(r"^(?: {4}| {0,3}[-+*=#>0-9])", re.MULTILINE)
# markdown-it's own normalization of line endings (its ``normalize`` core rule).
_LINE_ENDINGS = re.compile(r"\r\n?")
# Paragraphs are separated by one or more lines that hold nothing but spaces.
_BLANK_LINES = re.compile(r"\n(?: *\n)+")


def plain_html(source: str, *, breaks: bool, xhtml: bool) -> str | None:
    r"""Return markdown-it's HTML for ``source`` if it holds no Markdown at all, else ``None``.

    ``breaks`` and ``xhtml`` are the parser's ``breaks`` and ``xhtmlOut``
    options. ``source`` has been through the renderer's control-character
    filter (no NUL, no lone surrogates).

    >>> plain_html('Thanks, "nice" post.\r\nSecond line', breaks=True, xhtml=True)
    '<p>Thanks, &quot;nice&quot; post.<br />\nSecond line</p>\n'
    >>> plain_html("Thanks *a lot*", breaks=True, xhtml=True) is None
    True
    """
    text = _LINE_ENDINGS.sub("\n", source)
    if _INLINE.search(text) or _BLOCK_START.search(text):
        return None
    hard = "<br />\n" if xhtml else "<br>\n"
    soft = hard if breaks else "\n"
    out = []
    for paragraph in _BLANK_LINES.split(text.strip(" \n")):
        if not paragraph:
            continue
        # markdown-it escapes & < > and "; only > and the quote can be in the text.
        lines = paragraph.replace(">", "&gt;").replace('"', "&quot;").split("\n")
        parts = []
        for line in lines[:-1]:
            # markdown-it's newline rule: two trailing spaces are a hard break, and
            # trailing spaces never stay; the next line's leading spaces are skipped.
            kept = line.lstrip(" ").rstrip(" ")
            parts.append(kept + (hard if len(line) - len(line.rstrip(" ")) >= 2 else soft))
        parts.append(lines[-1].lstrip(" ").rstrip(" "))
        out.append("<p>" + "".join(parts) + "</p>\n")
    return "".join(out)


# A URL markdown-it's normalizeLink gives back unchanged: http or https, host labels
# of ASCII letters, digits and hyphens (at most 63 each, which mdurl checks), then a
# path, query and fragment of characters it neither splits on nor percent-encodes.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*(?:[/?#][A-Za-z0-9\-._~/?#=&]*)?"
)
_HOST_MAX = 255  # mdurl drops a longer host name; such a URL is left to it


def normalize_link(url: str) -> str:
    """Return markdown-it's ``normalizeLink(url)``, without its work for a plain web URL."""
    if len(url) <= _HOST_MAX and _PLAIN_URL.fullmatch(url):
        return url
    return normalizeLink(url)
