"""Text helpers shared by the built-in steps: Unicode folding and link counting."""

from __future__ import annotations

import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.token import Token

from threadkit.limits import utf8_size

__all__ = ["count_links", "fold", "is_blank", "links_at_most", "utf8_size"]

# The same parser configuration as threadkit.render.MarkdownRenderer: CommonMark,
# raw HTML not recognised (so an ``<a href>`` typed in is text, not a link).
_PARSER = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")

# What may be an entity (markdown-it's named and numeric ones are narrower); an "&" in
# anything else ("Q&A", "a & b") makes no new character.
_ENTITY_LIKE = re.compile(r"&#?[A-Za-z0-9]+;")

# A bare URL as a reader would see (and many sites would auto-link) it.
_BARE_URL = re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>]+|\bwww\.[^\s<>]+\.[^\s<>]+")


def fold(text: str) -> str:
    """Normalize ``text`` for keyword matching.

    NFKC turns compatibility look-alikes into their plain forms (fullwidth
    letters, mathematical bold letters, ligatures such as ``ﬁ``);
    ``casefold`` is the Unicode way to ignore case (``ß`` matches ``ss``);
    format characters (zero-width space and joiners, soft hyphens, bidi
    controls) are dropped so they cannot split a word.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: only whitespace, control and format characters."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs") for ch in text)


def count_links(source: str) -> int:
    """Count the links a reader would see in a comment's Markdown source.

    Every Markdown link, autolink (``<https://...>``) and image counts once;
    so does every bare ``http(s)://``, ``ftp://`` or ``www.`` URL outside a
    link, including inside code, where it is still there to copy.
    """
    total = 0
    for token in _PARSER.parse(source):
        if token.type in ("fence", "code_block"):
            total += len(_BARE_URL.findall(token.content))
        elif token.children:
            total += _count_inline(token.children)
    return total


def links_at_most(source: str) -> int:
    """Return a number :func:`count_links` never exceeds, found without parsing Markdown.

    A Markdown link or image opens with ``[``, an autolink with ``<``, and a
    bare URL holds a ``://`` (``http``, ``https``, ``ftp``) or starts at a
    ``www.`` (any case) of the source: parsing only cuts text into pieces, it
    never makes new characters, except entities (``&...;``) and backslash
    escapes, so a source with either is counted exactly. Lets a step skip
    the parse when even this bound is within its limit (issue 12: Markdown
    parsed once per post); counted with ``str.count``, since a
    case-insensitive regex over the body cost more than the step's rest.
    """
    if "\\" in source or ("&" in source and _ENTITY_LIKE.search(source)):
        return count_links(source)
    return (
        source.count("[") + source.count("<") + source.count("://") + source.lower().count("www.")
    )


def _count_inline(children: list[Token]) -> int:
    total = 0
    inside_link = 0
    for child in children:
        if child.type == "link_open":
            if not inside_link:
                total += 1
            inside_link += 1
        elif child.type == "link_close":
            inside_link = max(0, inside_link - 1)
        elif child.type == "image":
            total += 1
        elif not inside_link and child.type in ("text", "code_inline"):
            total += len(_BARE_URL.findall(child.content))
    return total
