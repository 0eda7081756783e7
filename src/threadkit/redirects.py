r"""Same-origin ``next`` validation for redirects after login, logout and posting.

A login link carries where to go back to (``/login?next=/blog/post-1``). If
that value is used as is, ``?next=//evil.example`` turns the site into an open
redirect: browsers read ``//host``, ``/\host`` and ``\\host`` as another
origin, skip tabs and newlines inside URLs, and some servers decode ``%2F`` and
``%5C`` before routing. :func:`safe_next` accepts only a path on this site and
falls back otherwise.

>>> safe_next("/blog/hello?page=2#comment-7", "/")
'/blog/hello?page=2#comment-7'
>>> safe_next("//evil.example/", "/")
'/'
>>> safe_next("/%2F%2Fevil.example", "/blog")
'/blog'
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

__all__ = ["MAX_NEXT_CHARS", "safe_next"]

MAX_NEXT_CHARS = 2048
"""Longest ``next`` value accepted; anything longer falls back."""


def _is_bad_char(char: str) -> bool:
    """Whether ``char`` is whitespace, a backslash or an invisible control/format character."""
    return (
        char == "\\"
        or char.isspace()
        or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")
    )


def _decoded_forms(text: str) -> list[str]:
    """``text`` and each successive percent-decoding of it, until it stops changing."""
    forms = [text]
    for _ in range(4):
        decoded = unquote(forms[-1])
        if decoded == forms[-1]:
            break
        forms.append(decoded)
    return forms


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: resolve ``.`` and ``..`` segments as a browser would."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/".join(output)


def _is_safe(target: str) -> bool:
    """Whether ``target`` is a same-origin absolute path (with optional query and fragment)."""
    if not target or len(target) > MAX_NEXT_CHARS:
        return False
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return False
    if any(_is_bad_char(char) for char in target):
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return False
    # The path is what routers and browsers may decode and normalize: every
    # decoded form must still be a plain absolute path that does not turn
    # into "//host" once dot segments are resolved.
    for path in _decoded_forms(parts.path):
        if not path.startswith("/") or path[1:2] in ("/", "\\"):
            return False
        if any(_is_bad_char(char) for char in path):
            return False
        if _remove_dot_segments(path).startswith("//"):
            return False
    return True


def safe_next(target: str | None, fallback: str) -> str:
    r"""Return ``target`` if it is a path on this site, else ``fallback``.

    Accepted: an absolute path such as ``/blog/post?page=2#comment-7``; its
    query and fragment are kept unchanged. Refused, returning ``fallback``:
    ``None`` or empty, anything with a scheme (``http:``, ``javascript:``) or
    host, ``//host``, ``/\host``, ``\\host``, relative paths, whitespace or
    control characters anywhere (including leading ones), backslashes, and
    percent-encoded variants of these in the path (``/%2F%2Fhost``, ``/%5Chost``,
    ``/%09/host``), paths whose dot segments resolve to ``//host``, and values
    longer than :data:`MAX_NEXT_CHARS`.

    ``fallback`` passes the same check; if it fails too, the result is ``"/"``.
    So the result always starts with exactly one ``/`` that is not followed by
    ``/`` or ``\``.
    """
    if isinstance(target, str) and _is_safe(target):
        return target
    return fallback if _is_safe(fallback) else "/"
