r"""Validators for the plain-text fields a commenter types: name, email, website.

Every value here is plain text, never HTML: the validators do not escape
anything (templates and the JSON serializer do that when they output it), they
make sure what is stored is sane. Each function returns the cleaned value or
raises :class:`~threadkit.errors.ValidationError` with a ``code``, the
``field`` at fault and a message that tells the commenter what to fix.

>>> clean_name("  Ada \t Lovelace ")
'Ada Lovelace'
>>> clean_email("Ada@Example.ORG")
'Ada@example.org'
>>> clean_url("example.org/blog")
'https://example.org/blog'

What the cleaning does:

* Text is NFC-normalized, so the same name typed on two systems compares equal.
* Runs of whitespace (tabs, newlines, Unicode spaces) become one space and the
  ends are trimmed; other control characters (``U+0000``-``U+001F``,
  ``U+007F``-``U+009F``) and the bidirectional override and isolate characters
  (which can make text read backwards) are refused, not silently dropped.
* Emoji, including ZWJ sequences, skin tones and flags, are kept intact:
  zero-width joiners and variation selectors are not control characters.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

from .errors import ValidationError

__all__ = ["clean_email", "clean_name", "clean_url"]

MAX_EMAIL_CHARS = 254
"""RFC 5321's limit on a whole address (a forward-path of 256 minus ``<>``)."""

MAX_URL_CHARS = 2000
"""Longest website address accepted, after normalization."""

# Bidirectional embedding, override and isolate controls: legal in prose but a
# classic way to make a name or address read differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-]+:[0-9]+(?:[/?#]|$)")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# RFC 5322 "atext" plus dots; non-ASCII letters are allowed too (RFC 6531).
_LOCAL_FORBIDDEN = frozenset(' "(),:;<>@[\\]')
# Characters a URL path, query or fragment may carry unescaped.
_URL_SAFE = "/:@!$&'()*+,;=-._~%?#[]"


def _is_control(char: str) -> bool:
    """Whether ``char`` is a C0/C1 control, a surrogate or a bidi control."""
    return unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI_CONTROLS


def _plain(value: object, field: str, what: str) -> str:
    """NFC-normalize, collapse whitespace, and refuse control characters."""
    if not isinstance(value, str):
        raise ValidationError("invalid", f"The {what} must be text.", field=field)
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if any(_is_control(char) for char in text):
        raise ValidationError(
            "control_characters",
            f"The {what} contains invisible control characters; please retype it.",
            field=field,
        )
    return text


def clean_name(value: object, *, max_chars: int = 100, field: str = "name") -> str:
    """Return a display name as clean plain text.

    Whitespace is collapsed, the text NFC-normalized; an empty name, one longer
    than ``max_chars`` characters (code points, after cleaning) or one with
    control characters is refused. Markup is not special: ``<b>`` stays the
    four characters ``<b>``, escaped wherever the name is shown.

    >>> clean_name("Zoë 👩\u200d💻")
    'Zoë 👩\u200d💻'
    """
    text = _plain(value, field, "name")
    if not text:
        raise ValidationError("required", "Please enter a name.", field=field)
    if len(text) > max_chars:
        raise ValidationError(
            "too_long",
            f"The name is {len(text)} characters long; please keep it to {max_chars}.",
            field=field,
        )
    return text


def _clean_domain(domain: str, field: str, what: str) -> str:
    """Return ``domain`` lowercased if each IDNA label is a valid host label."""
    domain = domain.lower().removesuffix(".")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValidationError(
            "invalid_domain",
            f"The part of the {what} after {'@' if what == 'email address' else '//'} "
            "does not look like a domain name (like example.org).",
            field=field,
        )
    return domain


def clean_email(value: object, *, field: str = "email") -> str:
    """Return an email address with its domain lowercased, or refuse it.

    The check is deliberately simple: one ``@``, a local part without spaces,
    quotes or brackets, a domain of valid host labels with at least one dot,
    and at most 254 characters. The local part keeps its case (it may matter
    to the mail server); the domain is lowercased. An empty value is refused
    with code ``required``: callers decide whether the field is optional.
    """
    text = _plain(value, field, "email address")
    if not text:
        raise ValidationError("required", "Please enter an email address.", field=field)
    if " " in text:
        raise ValidationError(
            "invalid_email", "An email address cannot contain spaces.", field=field
        )
    if len(text) > MAX_EMAIL_CHARS:
        raise ValidationError(
            "too_long",
            f"The email address is {len(text)} characters long; the limit is {MAX_EMAIL_CHARS}.",
            field=field,
        )
    local, at, domain = text.rpartition("@")
    if not at or not local:
        raise ValidationError(
            "invalid_email",
            "Please enter an email address like name@example.org.",
            field=field,
        )
    if (
        len(local) > 64
        or any(char in _LOCAL_FORBIDDEN for char in local)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
    ):
        raise ValidationError(
            "invalid_email",
            "The part of the email address before @ is not valid; please check it.",
            field=field,
        )
    return f"{local}@{_clean_domain(domain, field, 'email address')}"


def clean_url(value: object, *, max_chars: int = MAX_URL_CHARS, field: str = "url") -> str:
    """Return a website address as a normalized ``http``/``https`` URL, or refuse it.

    An address typed without a scheme (``example.org/blog``) gets ``https://``.
    Refused: any other scheme (``javascript:``, ``data:``, ``ftp:``...), control
    characters or whitespace inside the address, backslashes, a user name or
    password (``https://user@host``, a phishing trick), an invalid host or
    port, and addresses longer than ``max_chars`` once normalized. The result
    has a lowercase scheme, an ASCII (IDNA) lowercase host and non-ASCII
    characters in the path, query and fragment percent-encoded.

    >>> clean_url("HTTPS://Example.ORG/ünï?q=1#top")
    'https://example.org/%C3%BCn%C3%AF?q=1#top'
    """
    if not isinstance(value, str):
        raise ValidationError("invalid", "The website address must be text.", field=field)
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise ValidationError("required", "Please enter a website address.", field=field)
    if any(_is_control(char) or char.isspace() for char in text):
        raise ValidationError(
            "invalid_url",
            "The website address contains spaces or invisible characters; please retype it.",
            field=field,
        )
    if "\\" in text:
        raise ValidationError(
            "invalid_url",
            "The website address contains a backslash; use forward slashes (/).",
            field=field,
        )
    if text.startswith("//"):
        text = "https:" + text
    elif not _SCHEME.match(text) or _HOST_PORT.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # unbalanced IPv6 brackets
        raise ValidationError(
            "invalid_url", "The website address is not valid; please check it.", field=field
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not text[len(scheme) + 1 :].startswith("//"):
        raise ValidationError(
            "unsupported_scheme",
            "Only web addresses are allowed: start it with https:// (or http://).",
            field=field,
        )
    if "@" in parts.netloc:
        raise ValidationError(
            "invalid_url",
            "The website address must not contain a user name or password (the part before @).",
            field=field,
        )
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(
            "invalid_url", "The port number in the website address is not valid.", field=field
        ) from None
    if ":" in host or re.fullmatch(r"[0-9.]+", host):
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise ValidationError(
                "invalid_domain", "The website address has an invalid IP address.", field=field
            ) from None
        netloc_host = f"[{address.compressed}]" if address.version == 6 else address.compressed
    else:
        netloc_host = _clean_domain(host, field, "website address").encode("idna").decode()
    netloc = netloc_host if port is None else f"{netloc_host}:{port}"
    normalized = urlunsplit(
        (
            scheme,
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE),
            quote(parts.fragment, safe=_URL_SAFE),
        )
    )
    if len(normalized) > max_chars:
        raise ValidationError(
            "too_long",
            f"The website address is {len(normalized)} characters long; please keep it to "
            f"{max_chars}.",
            field=field,
        )
    return normalized
