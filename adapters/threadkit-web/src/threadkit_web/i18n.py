"""Languages, catalogs, dates and numbers for readers: the framework-neutral part.

Which language a request wants is the adapter's business (its request, its
settings); everything here takes the language explicitly. A request's
language is, in order: what the host says, else the best shipped match of the
``Accept-Language`` header, else English (:func:`choose_language`). Tags are
matched loosely (``"pt-BR"``, ``"zh-CN"``, ``"de-AT"``).

Catalogs are gettext ``.po`` files under ``translations/<lang>/LC_MESSAGES/``
(domain ``threadkit``). They are compiled in memory the first time a language
is used, so no generated ``.mo`` file can ever be older than its ``.po``.
The core stays English; reader-facing error messages are translated here by
their stable ``code`` (:func:`error_message`), falling back to the English text.

>>> choose_language(None, accept_language_tags("sv, de-AT;q=0.8, en;q=0.5"))
'de'
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.core import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from threadkit.errors import ThreadkitError

from . import assets

__all__ = [
    "CATALOGS",
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "ERROR_MESSAGES",
    "JS_KEYWORDS",
    "LANGUAGES",
    "RTL_LANGUAGES",
    "N_",
    "ScriptStrings",
    "accept_language_tags",
    "choose_language",
    "direction",
    "error_message",
    "format_number",
    "format_when",
    "html_lang",
    "js_catalog",
    "js_strings",
    "match_language",
    "script_catalog",
    "script_strings",
    "translations",
]

DOMAIN = "threadkit"
"""The gettext domain of threadkit's catalogs."""

DEFAULT_LANGUAGE = "en"
"""The language of the templates' source strings, used when nothing asks for another."""

LANGUAGES: tuple[str, ...] = (
    "en", "ar", "de", "es", "fr", "it", "ja", "nl", "pl", "pt_BR", "ru", "zh_Hans",
)  # fmt: skip
"""Every shipped language (Babel locale identifiers); each but English has a catalog."""

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
"""Languages written right to left: their sections get ``dir="rtl"``."""

CATALOGS = assets.CATALOGS
"""The folder of the catalogs: ``<lang>/LC_MESSAGES/threadkit.po``."""

# Tags that do not name a shipped language by their first part alone.
_ALIASES = {
    "zh": "zh_Hans", "zh-cn": "zh_Hans", "zh-sg": "zh_Hans", "zh-hans": "zh_Hans",
    "zh-hans-cn": "zh_Hans", "pt": "pt_BR", "pt-br": "pt_BR", "pt-pt": "pt_BR",
}  # fmt: skip


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


ERROR_MESSAGES: dict[str, str] = {
    "required": N_("Please fill in this field."),
    "empty_body": N_("Please write a comment before posting."),
    "body_too_large": N_("Your comment is too long; please shorten it."),
    "thread_closed": N_("Comments are closed."),
    "csrf_failed": N_("Your session expired; please reload the page and try again."),
    "too_many_votes": N_("Too many votes; please try again later."),
    "rate_limited": N_("You are posting too fast; please wait a moment."),
    "duplicate": N_("You have already posted this comment."),
    "not_found": N_("This comment is not there any more."),
}
"""Reader-facing errors by code, marked for the catalogs; the English is the code table's
``message`` (:data:`threadkit.codes.CODES`, a test keeps them equal), the raiser's own
English message the fallback."""


def match_language(tag: str | None) -> str | None:
    """Return the shipped language that ``tag`` (``"de-AT"``, ``"pt_BR"``) asks for, or ``None``.

    >>> match_language("pt-br"), match_language("zh-CN"), match_language("sv")
    ('pt_BR', 'zh_Hans', None)
    """
    if not tag:
        return None
    wanted = tag.strip().replace("_", "-").lower()
    if wanted in _ALIASES:
        return _ALIASES[wanted]
    for shipped in LANGUAGES:
        if shipped.replace("_", "-").lower() == wanted:
            return shipped
    primary = wanted.split("-", 1)[0]
    if primary in _ALIASES:
        return _ALIASES[primary]
    return primary if primary in LANGUAGES else None


def accept_language_tags(header: str | None) -> list[str]:
    """Return the tags of an ``Accept-Language`` value, most wanted first (``q=0`` left out).

    >>> accept_language_tags("fr;q=0.5, de, *;q=0")
    ['de', 'fr']
    """
    found: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        if tag.strip() and tag.strip() != "*" and quality > 0:
            found.append((-quality, index, tag.strip()))
    return [tag for _quality, _index, tag in sorted(found)]


def choose_language(host: str | None, accepted: Iterable[str]) -> str:
    """Return the host's language if shipped, else the first shipped one accepted, else English."""
    found = match_language(host)
    if found is not None:
        return found
    for tag in accepted:
        found = match_language(tag)
        if found is not None:
            return found
    return DEFAULT_LANGUAGE


def direction(language: str) -> str:
    """Return ``"rtl"`` or ``"ltr"``: the writing direction of ``language``."""
    return "rtl" if language.split("_", 1)[0] in RTL_LANGUAGES else "ltr"


def html_lang(language: str) -> str:
    """Return the BCP 47 tag of ``language`` for ``lang=""`` (``"pt-BR"``, ``"zh-Hans"``)."""
    return language.replace("_", "-")


@functools.cache
def translations(language: str) -> gettext_module.NullTranslations:
    """Return the compiled catalog of ``language`` (English: none, the source strings)."""
    path = CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return gettext_module.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def error_message(error: ThreadkitError, language: str) -> str:
    """Return the message of ``error`` in ``language``: translated by its code, else English."""
    source = ERROR_MESSAGES.get(error.code)
    if source is None or language == DEFAULT_LANGUAGE:
        return str(error.message)
    translated = translations(language).gettext(source)
    # An untranslated source string says less than the engine's own message.
    return translated if translated != source else str(error.message)


def format_number(value: int, language: str) -> str:
    """Return ``value`` written for ``language`` (``"1,200"``, ``"1.200"``)."""
    return format_decimal(value, locale=_babel_locale(language))


def format_when(moment: datetime, language: str) -> str:
    """Return the long date and short time of ``moment`` in UTC, written for ``language``.

    The reader's own time zone is unknown to the server; the JavaScript
    rewrites it in the browser's zone (see ``<time datetime>``).
    """
    locale = _babel_locale(language)
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    pattern = get_datetime_format("long", locale=locale)
    text = (
        str(pattern)
        .replace("'", "")
        .replace("{1}", format_date(utc, "long", locale=locale))
        .replace("{0}", format_time(utc, "short", tzinfo=UTC, locale=locale))
    )
    return f"{text} UTC"


@functools.cache
def _babel_locale(language: str) -> Locale:
    return Locale.parse(language)


JS_KEYWORDS: dict[str, tuple[int, ...]] = {"t": (2,), "tn": (2, 3)}
"""threadkit.js's gettext calls: ``t(el, text, values)``, ``tn(el, singular, plural, n, …)``."""


ScriptStrings = tuple[tuple[str, ...], tuple[tuple[str, str], ...]]
"""What a script translates: its plain strings and its (singular, plural) pairs."""


def script_strings(path: Path, keywords: Mapping[str, Any]) -> ScriptStrings:
    """Return the strings the script at ``path`` marks with ``keywords``, as Babel extracts them.

    The same extractor fills the catalogs, so the list a browser gets can
    never differ from what translators saw (threadkit.js, the server's embed).
    """
    plain: list[str] = []
    plural: list[tuple[str, str]] = []
    with path.open("rb") as handle:
        for _line, message, _comments, _context in extract("javascript", handle, keywords):
            if isinstance(message, str):
                plain.append(message)
            else:
                plural.append((str(message[0]), str(message[1])))
    return tuple(dict.fromkeys(plain)), tuple(dict.fromkeys(plural))


@functools.cache
def js_strings() -> ScriptStrings:
    """Return the strings threadkit.js translates (plain ones, plural pairs), read from the file."""
    return script_strings(assets.STATIC / "threadkit.js", JS_KEYWORDS)


def script_catalog(language: str, strings: ScriptStrings) -> dict[str, Any]:
    """Return a script's catalog for ``language``: ``{"lang", "messages", "plurals"}``.

    ``messages`` maps each English string to its translation; ``plurals`` maps
    a singular string to its form in each CLDR plural category of the
    language (``{"one": ..., "few": ..., "other": ...}``), which the browser
    picks with ``Intl.PluralRules``.
    """
    catalog = translations(language)
    plain, pairs = strings
    return {
        "lang": html_lang(language),
        "messages": {text: catalog.gettext(text) for text in plain},
        "plurals": {
            singular: _plural_categories(language, singular, plural) for singular, plural in pairs
        },
    }


def js_catalog(language: str) -> str:
    """Return the JSON catalog threadkit.js reads from ``data-tk-i18n`` for ``language``.

    See :func:`script_catalog`; the template escapes it into the attribute.
    """
    data = script_catalog(language, js_strings())
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _plural_categories(language: str, singular: str, plural: str) -> dict[str, str]:
    """Each CLDR plural category of ``language`` mapped to its form, found by sample counts."""
    locale = _babel_locale(language)
    catalog = translations(language)
    forms: dict[str, str] = {}
    for count in (0, 1, 2, 3, 5, 11, 21, 22, 25, 100, 101, 102, 1000000):
        category = locale.plural_form(count)
        forms.setdefault(category, catalog.ngettext(singular, plural, count))
    return forms
