"""Shortcuts that give markdown-it's exact output for the inputs most comments are.

:class:`threadkit.render.MarkdownRenderer` parses every comment with markdown-it
(CommonMark, ``html`` off); that parse is most of a post's own CPU time (issue 12).
Two common cases need none of it:

* :func:`simple_html`: paragraphs of plain text with, at most, simple inline
  Markdown (most comments: ``*em*``, ``**strong**``, ``[text](https://...)``);
* :func:`normalize_link`: a plain ``http(s)`` link is one markdown-it's URL
  normalizer (parse, punycode, re-encode) returns unchanged.

Each answers exactly what markdown-it would, byte for byte, or hands the input
back to it; ``tests/test_render_fast.py`` and ``tests/test_render_fast_inline.py``
compare both on generated text made of every character Markdown or HTML treats
specially. The sanitizer still runs on the result, as on any other.

What :func:`simple_html` reads, besides plain text, one line at a time:

* emphasis: ``*em*``, ``_em_``, ``**strong**``, ``__strong__``, never nested;
* links: ``[text](https://example.org/path)``: plain text inside, a plain ``http(s)``
  URL (see :func:`normalize_link`), no title;
* code spans (text between backticks) that open and close on one line;
* text: ``*`` and ``_`` that can neither open nor close emphasis (``a * b``,
  ``snake_case``), a ``~`` alone (``~5 min``), ``&`` that starts no entity (no ``;``
  after its letters) and ``<`` before a space.

Anything else (escapes, strikethrough, images, autolinks, entities,
nested emphasis, a run of ``*`` or ``_`` that could open and close, or of three, a
line that may start a block) makes it give up, and markdown-it reads the comment.
Whether a run of ``*`` or ``_`` opens or closes is decided as markdown-it decides it
(CommonMark's flanking rules, with markdown-it's own character classes). When every
run that can open or close does only one of the two, and they alternate (each closer
of the opener's marker and length), markdown-it's delimiter matching pairs each closer
with the opener just before it: one pass from left to right renders the paragraph.
"""

from __future__ import annotations

import functools
import re

from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import escapeHtml, isMdAsciiPunct, isPunctChar, isWhiteSpace

__all__ = ["normalize_link", "simple_html"]

# A line that may open a block other than a paragraph: four spaces (code), or, after up
# to three, a quote, a code fence, an ordered list marker, or a bullet, heading, setext
# underline or thematic break character not followed by a letter or digit ("+1", "#3",
# "-a" and "**bold**" are text: those blocks need a space, the line's end or more
# markers next).
_BLOCK_START = re.compile(
    r"^(?: {4}| {0,3}(?:>|```|~~~|[0-9]+[.)](?![^\W_])|[-+=#](?![^\W_])|([*_])(?!\1?[^\W_])))",
    re.MULTILINE,
)
# markdown-it's own normalization of line endings (its ``normalize`` core rule).
_LINE_ENDINGS = re.compile(r"\r\n?")
# Paragraphs are separated by one or more lines that hold nothing but spaces.
_BLANK_LINES = re.compile(r"\n(?: *\n)+")
# A character some inline rule starts at (or that the line renderer must look at), or
# whitespace other than space and line feed (a tab is indentation, a Unicode space
# trims differently). Without a "[", "]" and "!" are text; so is ">" inside a line.
_SPECIAL = re.compile(r"[*_\[\]!\\`~<&]|[^\S \n]")
# What the text of a link may not hold (it is plain text, on one line).
_NOT_LINK_TEXT = re.compile(r"[*_\[\]!\\`~<&]|[^\S ]")

# What could be an entity (markdown-it's named and numeric ones are narrower): "&" in
# anything else ("Q&A", "a & b") is text.
_ENTITY_LIKE = re.compile(r"&#?[A-Za-z0-9]*;")

_OPEN = {1: "<em>", 2: "<strong>"}
_CLOSE = {1: "</em>", 2: "</strong>"}

Emphasis = tuple[str, int]
"""An open emphasis: its marker (``*`` or ``_``) and the length of its run (1 or 2)."""


def simple_html(source: str, *, breaks: bool, xhtml: bool) -> str | None:
    r"""Return markdown-it's HTML for ``source`` if it is simple Markdown, else ``None``.

    ``breaks`` and ``xhtml`` are the parser's ``breaks`` and ``xhtmlOut``
    options. ``source`` has been through the renderer's control-character
    filter (no NUL, no lone surrogates).

    >>> simple_html('Thanks, "nice" post.\r\nSecond line', breaks=True, xhtml=True)
    '<p>Thanks, &quot;nice&quot; post.<br />\nSecond line</p>\n'
    >>> simple_html("Thanks *a lot*, see [this](https://example.org)", breaks=True, xhtml=True)
    '<p>Thanks <em>a lot</em>, see <a href="https://example.org">this</a></p>\n'
    >>> simple_html("Thanks ~~a lot~~", breaks=True, xhtml=True) is None
    True
    """
    text = _LINE_ENDINGS.sub("\n", source)
    if _BLOCK_START.search(text):
        return None
    plain = _SPECIAL.search(text) is None
    hard = "<br />\n" if xhtml else "<br>\n"
    soft = hard if breaks else "\n"
    out = []
    for paragraph in _BLANK_LINES.split(text.strip(" \n")):
        if not paragraph:
            continue
        lines = paragraph.split("\n")
        parts = []
        emphasis: Emphasis | None = None
        last = len(lines) - 1
        for number, line in enumerate(lines):
            # markdown-it's newline rule: leading spaces are skipped, trailing ones never
            # stay, and two or more make a hard break.
            kept = line.strip(" ")
            if plain:
                # markdown-it escapes & < > and "; only > and the quote can be here.
                parts.append(kept.replace(">", "&gt;").replace('"', "&quot;"))
            else:
                rendered = _inline_html(kept, emphasis)
                if rendered is None:
                    return None
                html, emphasis = rendered
                parts.append(html)
            if number < last:
                parts.append(hard if len(line) - len(line.rstrip(" ")) >= 2 else soft)
        if emphasis is not None:
            return None  # an opener left without a closer is text: markdown-it's business
        out.append("<p>" + "".join(parts) + "</p>\n")
    return "".join(out)


def _punctuation(char: str) -> bool:
    return isMdAsciiPunct(ord(char)) or isPunctChar(char)


@functools.lru_cache(maxsize=4096)  # a few neighbours recur: a space, a letter, a comma
def _opens_closes(marker: str, before: str, after: str) -> tuple[bool, bool]:
    """Return whether a run of ``marker`` between ``before`` and ``after`` can open, close.

    markdown-it's ``StateInline.scanDelims``, for a run whose neighbours are known.
    """
    before_space = isWhiteSpace(ord(before))
    after_space = isWhiteSpace(ord(after))
    before_punct = _punctuation(before)
    after_punct = _punctuation(after)
    left = not (after_space or (after_punct and not (before_space or before_punct)))
    right = not (before_space or (before_punct and not (after_space or after_punct)))
    if marker == "*":  # may open or close inside a word
        return left, right
    return left and (not right or before_punct), right and (not left or after_punct)


def _inline_html(line: str, emphasis: Emphasis | None) -> tuple[str, Emphasis | None] | None:
    """Return markdown-it's HTML for one line of a paragraph and the emphasis left open.

    ``line`` has its leading and trailing spaces removed; its neighbours in the
    paragraph are whitespace either way. ``emphasis`` is what the lines before
    left open. ``None`` when the line holds anything but the simple subset.

    >>> _inline_html('See *this* & [docs](https://x.org/?b=1&c=2) "now"', None)
    ('See <em>this</em> &amp; <a href="https://x.org/?b=1&amp;c=2">docs</a> &quot;now&quot;', None)
    >>> _inline_html("**bold", None)
    ('<strong>bold', ('*', 2))
    >>> _inline_html("*a*b*", None) is None
    True
    """
    out: list[str] = []
    end = len(line)
    pos = 0
    while match := _SPECIAL.search(line, pos):
        at = match.start()
        if at > pos:
            out.append(escapeHtml(line[pos:at]))
        char = line[at]
        after = line[at + 1] if at + 1 < end else " "
        if char in "*_":
            stop = at + 1
            while stop < end and line[stop] == char:
                stop += 1
            length = stop - at
            can_open, can_close = _opens_closes(
                char, line[at - 1] if at else " ", line[stop] if stop < end else " "
            )
            if can_open and can_close:
                return None
            if can_open:
                if emphasis is not None or length > 2:
                    return None
                emphasis = (char, length)
                out.append(_OPEN[length])
            elif can_close:
                if emphasis != (char, length):
                    return None
                emphasis = None
                out.append(_CLOSE[length])
            else:
                out.append(char * length)  # can neither open nor close: text
            pos = stop
        elif char == "[":
            link = _link(line, at)
            if link is None:
                return None
            html, pos = link
            out.append(html)
        elif char == "`":
            code = _code_span(line, at)
            if code is None:
                return None
            html, pos = code
            out.append(html)
        elif char == "]" or (char == "!" and after != "[") or (char == "~" and after != "~"):
            out.append(char)
            pos = at + 1
        elif (char == "&" and not _ENTITY_LIKE.match(line, at)) or (char == "<" and after == " "):
            out.append("&amp;" if char == "&" else "&lt;")  # no entity or autolink starts
            pos = at + 1
        else:
            return None
    out.append(escapeHtml(line[pos:]))
    return "".join(out), emphasis


def _code_span(line: str, start: int) -> tuple[str, int] | None:
    """Return the HTML of the code span at ``line[start]`` (a backtick) and where it ends.

    Its end is the next run of exactly as many backticks; ``None`` if the line has
    none (one may come on a later line, or the run is text: markdown-it decides).
    """
    opened = start + 1
    while opened < len(line) and line[opened] == "`":
        opened += 1
    length = opened - start
    run = opened
    while (close := line.find("`", run)) >= 0:
        run = close + 1
        while run < len(line) and line[run] == "`":
            run += 1
        if run - close == length:
            content = line[opened:close]
            # One space is stripped from each end, unless the content is only spaces.
            if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
                content = content[1:-1]
            return f"<code>{escapeHtml(content)}</code>", run
    return None


def _link(line: str, start: int) -> tuple[str, int] | None:
    """Return the HTML of the inline link at ``line[start]`` (a ``[``) and where it ends."""
    label_end = line.find("](", start)
    if label_end < 0:
        return None
    label = line[start + 1 : label_end]
    if not label or _NOT_LINK_TEXT.search(label):
        return None
    url_end = line.find(")", label_end + 2)
    if url_end < 0:
        return None
    url = line[label_end + 2 : url_end]
    if not _is_plain_url(url):
        return None
    return f'<a href="{escapeHtml(url)}">{escapeHtml(label)}</a>', url_end + 1


# A URL markdown-it's normalizeLink gives back unchanged: http or https, host labels
# of ASCII letters, digits and hyphens (at most 63 each, which mdurl checks), then a
# path, query and fragment of characters it neither splits on nor percent-encodes.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*(?:[/?#][A-Za-z0-9\-._~/?#=&]*)?"
)
_HOST_MAX = 255  # mdurl drops a longer host name; such a URL is left to it


def _is_plain_url(url: str) -> bool:
    """Whether markdown-it's normalizeLink returns ``url`` as it is (and its scheme is http(s))."""
    return len(url) <= _HOST_MAX and _PLAIN_URL.fullmatch(url) is not None


def normalize_link(url: str) -> str:
    """Return markdown-it's ``normalizeLink(url)``, without its work for a plain web URL."""
    if _is_plain_url(url):
        return url
    return normalizeLink(url)
