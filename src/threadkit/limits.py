r"""Every size limit on what a commenter sends, defined once.

:data:`COMMENT_MAX_BYTES` is *the* comment limit: the longest comment source
any layer accepts, in bytes of UTF-8. The engine (``EnginePolicy.max_body_bytes``),
the ``SizeLimits`` moderation step, the SQL store's check and the web adapter's
request cap all derive their defaults from it, so a comment the engine takes is
never refused by another layer, nor cut short by one.

The request cap (:func:`request_cap`, :data:`REQUEST_MAX_BYTES`) is the largest
HTTP request body a web adapter reads. It sits above the comment limit by the
worst case of the envelope the comment travels in, so any comment within the
limit can be posted both as JSON and through the no-JavaScript form:

* escaping: JSON may write one byte as six (a control character as
  ``\u0001``), an urlencoded form as three (``%C3``); six covers both;
* the other fields (name, email, website), escaped the same way;
* field names, the CSRF token, the signed thread metadata, the ``next``
  address and the reply's parent id: :data:`ENVELOPE_BYTES`.

>>> from threadkit.limits import COMMENT_MAX_BYTES, request_cap
>>> COMMENT_MAX_BYTES
65535
>>> request_cap(COMMENT_MAX_BYTES) > 6 * COMMENT_MAX_BYTES
True
"""

from __future__ import annotations

__all__ = [
    "COMMENT_MAX_BYTES",
    "EMAIL_MAX_BYTES",
    "EMAIL_MAX_CHARS",
    "ENVELOPE_BYTES",
    "ESCAPE_FACTOR",
    "NAME_MAX_BYTES",
    "NAME_MAX_CHARS",
    "REQUEST_MAX_BYTES",
    "URL_MAX_BYTES",
    "URL_MAX_CHARS",
    "request_cap",
    "utf8_size",
]

COMMENT_MAX_BYTES = 65_535
"""The longest comment source, in UTF-8 bytes (the size of WordPress' ``comment_content``).

Every WordPress comment therefore imports, and the number is independent of the
database: the SQL store keeps bodies in columns that hold far more.
"""

NAME_MAX_CHARS = 100
"""The longest display name, in characters (code points) after cleaning."""

NAME_MAX_BYTES = 400
"""The longest display name in UTF-8 bytes (100 characters of up to 4 bytes)."""

EMAIL_MAX_CHARS = 254
"""RFC 5321's limit on a whole address (a forward-path of 256 minus ``<>``)."""

EMAIL_MAX_BYTES = 254
"""The longest email address in UTF-8 bytes."""

URL_MAX_CHARS = 2_000
"""The longest website address, in characters, once normalized (ASCII)."""

URL_MAX_BYTES = 2_000
"""The longest website address in UTF-8 bytes."""

ESCAPE_FACTOR = 6
"""How many bytes one byte of text may take once escaped (JSON writes U+0001 in six)."""

ENVELOPE_BYTES = 16 * 1024
"""Room for everything in a post besides the escaped text fields (names, tokens, ``next``)."""


def request_cap(comment_max_bytes: int = COMMENT_MAX_BYTES) -> int:
    """Return the request body cap that lets any comment of ``comment_max_bytes`` through.

    Every text field at its limit, each byte escaped the worst way, plus
    :data:`ENVELOPE_BYTES`.

    >>> request_cap(1_000) - request_cap(0)
    6000
    """
    if comment_max_bytes < 0:
        raise ValueError(f"a comment limit must be 0 or more, not {comment_max_bytes}")
    text = comment_max_bytes + NAME_MAX_BYTES + EMAIL_MAX_BYTES + URL_MAX_BYTES
    return ESCAPE_FACTOR * text + ENVELOPE_BYTES


REQUEST_MAX_BYTES = request_cap()
"""The default request body cap of a web adapter: ``request_cap(COMMENT_MAX_BYTES)``."""


def utf8_size(text: str) -> int:
    """How many bytes ``text`` takes in UTF-8 (a lone surrogate counts 3, not an error).

    >>> utf8_size("Zoë 🙂")
    9
    """
    return len(text.encode("utf-8", "surrogatepass"))
