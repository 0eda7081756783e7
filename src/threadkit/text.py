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
* Unicode TAG characters (``U+E0000``-``U+E007F``) are invisible and can carry
  hidden text: they are dropped from names (a flag such as 🏴 keeps its black
  flag) and refused in email and website addresses.
* Domains are checked and converted with IDNA 2008 (the ``idna`` package, with
  UTS 46 mapping), so ``faß.de`` stays ``faß.de`` (``xn--fa-hia.de``), never
  the IDNA 2003 ``fass.de``, which is someone else's domain.
* Emoji, including ZWJ sequences, skin tones and flags, are kept intact:
  zero-width joiners and variation selectors are not control characters.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

import idna

from .errors import ValidationError
from .limits import EMAIL_MAX_CHARS, NAME_MAX_CHARS, URL_MAX_CHARS

__all__ = ["clean_email", "clean_name", "clean_url", "is_refused_character"]

MAX_EMAIL_CHARS = EMAIL_MAX_CHARS
"""RFC 5321's limit on a whole address (see :mod:`threadkit.limits`)."""

MAX_URL_CHARS = URL_MAX_CHARS
"""Longest website address accepted, after normalization (see :mod:`threadkit.limits`)."""

# Bidirectional embedding, override and isolate controls: legal in prose but a
# classic way to make a name or address read differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Unicode TAG characters: invisible, used by emoji flag sequences and to smuggle text.
_TAGS = re.compile("[\U000e0000-\U000e007f]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-]+:[0-9]+(?:[/?#]|$)")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# RFC 5322 "atext" plus dots; non-ASCII letters are allowed too (RFC 6531).
_LOCAL_FORBIDDEN = frozenset(' "(),:;<>@[\\]')
# Characters a URL path, query or fragment may carry unescaped.
_URL_SAFE = "/:@!$&'()*+,;=-._~%?#[]"
# An ASCII host name IDNA 2008 (with UTS 46 mapping) gives back as it is: lower-case
# letters, digits and inner hyphens, never "--" in a label's 3rd and 4th place (that
# includes "xn--"), labels of 1 to 63, at most 253 in all. Most addresses are one, and
# idna.encode takes 30-100 us a call, on every post that gives an email or a website.
_LDH_LABEL = r"(?![a-z0-9-]{2}--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_DOMAIN = re.compile(rf"(?:{_LDH_LABEL}\.)*{_LDH_LABEL}")
_DOMAIN_MAX = 253


def is_refused_character(char: str) -> bool:
    r"""Whether the cleaners refuse ``char``: a C0/C1 control, a surrogate, a bidi or TAG control.

    Whitespace controls (tab, newlines) count too; :func:`clean_name` turns
    them into spaces before it looks. Importers use this to drop what a
    live form would refuse.

    >>> [is_refused_character(c) for c in ("a", "\u202e", "\x07", "\U000e0041", "\u200d")]
    [False, True, True, True, False]
    """
    return (
        unicodedata.category(char) in ("Cc", "Cs")
        or char in _BIDI_CONTROLS
        or "\U000e0000" <= char <= "\U000e007f"
    )


_is_control = is_refused_character


def _plain(value: object, field: str, what: str) -> str:
    """NFC-normalize, collapse whitespace, and refuse control characters."""
    if not isinstance(value, str):
        raise ValidationError("invalid", f"The {what} must be text.", field=field)
    text = " ".join(unicodedata.normalize("NFC", value).split())
    # Everything refused is a control, surrogate or format (Cf) or unassigned (Cn)
    # character, none of which is printable: a printable text skips the scan.
    if not text.isprintable() and any(_is_control(char) for char in text):
        raise ValidationError(
            "control_characters",
            f"The {what} contains invisible control characters; please retype it.",
            field=field,
        )
    return text


def clean_name(value: object, *, max_chars: int = NAME_MAX_CHARS, field: str = "name") -> str:
    r"""Return a display name as clean plain text.

    Whitespace is collapsed, the text NFC-normalized; an empty name, one longer
    than ``max_chars`` characters (code points, after cleaning) or one with
    control characters is refused. Markup is not special: ``<b>`` stays the
    four characters ``<b>``, escaped wherever the name is shown. TAG
    characters are dropped, so none ever reaches a page.

    >>> clean_name("Zoë 👩\u200d💻")
    'Zoë 👩\u200d💻'
    >>> clean_name("Ewan \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f")
    'Ewan \U0001f3f4'
    """
    text = _plain(_TAGS.sub("", value) if isinstance(value, str) else value, field, "name")
    if not text:
        raise ValidationError("required", "Please enter a name.", field=field)
    if len(text) > max_chars:
        raise ValidationError(
            "too_long",
            f"The name is {len(text)} characters long; please keep it to {max_chars}.",
            field=field,
        )
    return text


def _clean_domain(domain: str, field: str, what: str) -> tuple[str, str]:
    """Return ``(domain lowercased, its ASCII form)`` if it is a valid IDNA 2008 host name."""
    domain = domain.lower().removesuffix(".")
    try:
        ascii_domain = _idna_ascii(domain)
    except (idna.IDNAError, UnicodeError):
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValidationError(
            "invalid_domain",
            f"The part of the {what} after {'@' if what == 'email address' else '//'} "
            "does not look like a domain name (like example.org).",
            field=field,
        )
    return domain, ascii_domain


def _idna_ascii(domain: str) -> str:
    """Return ``idna.encode(domain, uts46=True)`` as text, without it for a plain ASCII name."""
    if len(domain) <= _DOMAIN_MAX and _PLAIN_DOMAIN.fullmatch(domain):
        return domain
    return idna.encode(domain, uts46=True).decode("ascii")


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
    return f"{local}@{_clean_domain(domain, field, 'email address')[0]}"


def clean_url(value: object, *, max_chars: int = MAX_URL_CHARS, field: str = "url") -> str:
    """Return a website address as a normalized ``http``/``https`` URL, or refuse it.

    An address typed without a scheme (``example.org/blog``) gets ``https://``.
    Refused: any other scheme (``javascript:``, ``data:``, ``ftp:``...), control
    characters or whitespace inside the address, backslashes, a user name or
    password (``https://user@host``, a phishing trick), an invalid host or
    port, and addresses longer than ``max_chars`` once normalized. The result
    has a lowercase scheme, an ASCII (IDNA 2008) lowercase host and non-ASCII
    characters in the path, query and fragment percent-encoded.

    >>> clean_url("HTTPS://Example.ORG/ünï?q=1#top")
    'https://example.org/%C3%BCn%C3%AF?q=1#top'
    >>> clean_url("faß.de")
    'https://xn--fa-hia.de'
    """
    parts = _split_web_url(_url_text(value, field), field)
    normalized = urlunsplit(
        (
            parts.scheme,
            parts.netloc,
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


def _url_text(value: object, field: str) -> str:
    """Return the typed address, NFC and stripped, with ``https://`` added when it has no scheme."""
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
        return "https:" + text
    if not _SCHEME.match(text) or _HOST_PORT.match(text):
        return "https://" + text
    return text


def _split_web_url(text: str, field: str) -> SplitResult:
    """Split an ``http(s)`` address, its scheme lowercased and its host and port checked."""
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
    return parts._replace(scheme=scheme, netloc=_url_netloc(parts, field))


def _url_netloc(parts: SplitResult, field: str) -> str:
    """Return the host (an IP address, or an IDNA 2008 domain) and port, normalized."""
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
        netloc_host = _clean_domain(host, field, "website address")[1]
    return netloc_host if port is None else f"{netloc_host}:{port}"
