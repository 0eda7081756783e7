"""Every reader's language: which one, translated templates, dates and numbers.

The language of a request is, in order: what the host says (``init_app(locale=...)``
or the ``THREADKIT_LOCALE`` setting: a language tag, or a callable returning one
or ``None``), else the best shipped match of the ``Accept-Language`` header,
else English. Tags are matched loosely (``"pt-BR"``, ``"zh-CN"``, ``"de-AT"``).

Catalogs are gettext ``.po`` files under ``translations/<lang>/LC_MESSAGES/``
(domain ``threadkit``). They are compiled in memory the first time a language
is used, so no generated ``.mo`` file can ever be older than its ``.po``.
The core stays English; reader-facing error messages are translated here by
their stable ``code`` (:func:`error_message`), falling back to the English text.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import json
from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from babel.core import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask import Flask, current_app, has_request_context, request
from jinja2 import pass_context
from jinja2.runtime import Context
from threadkit_web import assets

from threadkit.errors import ThreadkitError

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "RTL_LANGUAGES",
    "LocaleSetting",
    "current_locale",
    "direction",
    "error_message",
    "format_number",
    "format_when",
    "gettext",
    "install",
    "js_catalog",
    "match_language",
    "ngettext",
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

LocaleSetting = str | Callable[[], str | None] | None
"""A language tag, or a callable the current request asks (``None``: no opinion)."""

_CONFIG_KEY = "THREADKIT_LOCALE"
_EXTENSION_KEY = "threadkit.i18n"
_ENVIRON_KEY = "threadkit.locale"
# Tags that do not name a shipped language by their first part alone.
_ALIASES = {
    "zh": "zh_Hans", "zh-cn": "zh_Hans", "zh-sg": "zh_Hans", "zh-hans": "zh_Hans",
    "zh-hans-cn": "zh_Hans", "pt": "pt_BR", "pt-br": "pt_BR", "pt-pt": "pt_BR",
}  # fmt: skip


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


# Reader-facing errors by code; the core's English message is the fallback.
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


def install(app: Flask, locale: LocaleSetting = None) -> None:
    """Set up ``app``: its language choice and Jinja's i18n extension with threadkit's catalogs.

    ``locale`` (else ``app.config["THREADKIT_LOCALE"]``) is what the host
    says; see the module docstring for the order of choice.
    """
    app.extensions[_EXTENSION_KEY] = locale if locale is not None else app.config.get(_CONFIG_KEY)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # newstyle: "%(name)s" placeholders are filled and autoescaped by Jinja itself.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _template_gettext, _template_ngettext, newstyle=True
    )


def current_locale() -> str:
    """Return the language of the current request (English outside of one)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = request.environ.get(_ENVIRON_KEY)
    if isinstance(chosen, str):
        return chosen
    chosen = _choose()
    request.environ[_ENVIRON_KEY] = chosen
    return chosen


def _choose() -> str:
    setting = current_app.extensions.get(_EXTENSION_KEY)
    host = setting() if callable(setting) else setting
    found = match_language(host) if isinstance(host, str) else None
    if found is not None:
        return found
    for tag, _quality in request.accept_languages:
        found = match_language(tag)
        if found is not None:
            return found
    return DEFAULT_LANGUAGE


def direction(language: str | None = None) -> str:
    """Return ``"rtl"`` or ``"ltr"``: the writing direction of ``language`` (default: current)."""
    code = (language or current_locale()).split("_", 1)[0]
    return "rtl" if code in RTL_LANGUAGES else "ltr"


def html_lang(language: str | None = None) -> str:
    """Return the BCP 47 tag of ``language`` for ``lang=""`` (``"pt-BR"``, ``"zh-Hans"``)."""
    return (language or current_locale()).replace("_", "-")


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


def gettext(message: str) -> str:
    """Translate ``message`` into the current request's language."""
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate the form of ``singular`` / ``plural`` that ``count`` takes in this language."""
    return translations(current_locale()).ngettext(singular, plural, count)


def _context_catalog(context: Context) -> gettext_module.NullTranslations:
    """Return the catalog of a template's reader: its ``tk`` helper's, else the request's."""
    # A page calls _() several times per comment; the helper has the catalog at hand,
    # where the request's would cost a look-up through Flask's context proxies each time.
    found = getattr(context.get("tk"), "translations", None)
    if isinstance(found, gettext_module.NullTranslations):
        return found
    return translations(current_locale())


@pass_context
def _template_gettext(context: Context, message: str) -> str:
    return _context_catalog(context).gettext(message)


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return _context_catalog(context).ngettext(singular, plural, count)


def error_message(error: ThreadkitError) -> str:
    """Return the message of ``error`` for a reader: translated by its code, else English."""
    source = ERROR_MESSAGES.get(error.code)
    if source is None or current_locale() == DEFAULT_LANGUAGE:
        return str(error.message)
    translated = gettext(source)
    # An untranslated source string says less than the engine's own message.
    return translated if translated != source else str(error.message)


def format_number(value: int) -> str:
    """Return ``value`` written for the current language (``"1,200"``, ``"1.200"``)."""
    return format_decimal(value, locale=_babel_locale(current_locale()))


def format_when(moment: datetime, language: str | None = None) -> str:
    """Return the long date and short time of ``moment`` in UTC, written for ``language``.

    The reader's own time zone is unknown to the server; the JavaScript
    rewrites it in the browser's zone (see ``<time datetime>``).
    """
    locale = _babel_locale(language or current_locale())
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


@functools.cache
def js_strings() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Return the strings threadkit.js translates (plain ones, plural pairs), read from the file.

    The same Babel extractor that fills the catalogs reads them, so the list
    the browser gets can never differ from what translators saw.
    """
    plain: list[str] = []
    plural: list[tuple[str, str]] = []
    with (assets.STATIC / "threadkit.js").open("rb") as handle:
        for _line, message, _comments, _context in extract("javascript", handle, JS_KEYWORDS):
            if isinstance(message, str):
                plain.append(message)
            else:
                plural.append((str(message[0]), str(message[1])))
    return tuple(dict.fromkeys(plain)), tuple(dict.fromkeys(plural))


def js_catalog(language: str | None = None) -> str:
    """Return the JSON catalog threadkit.js reads from ``data-tk-i18n`` for ``language``.

    ``messages`` maps each English string to its translation; ``plurals`` maps
    a singular string to its form in each CLDR plural category of the
    language (``{"one": ..., "few": ..., "other": ...}``), which the browser
    picks with ``Intl.PluralRules``. The template escapes it into the attribute.
    """
    lang = language or current_locale()
    catalog = translations(lang)
    data: dict[str, Any] = {"lang": html_lang(lang)}
    plain, pairs = js_strings()
    messages = {text: catalog.gettext(text) for text in plain}
    plurals = {singular: _plural_categories(lang, singular, plural) for singular, plural in pairs}
    data["messages"] = messages
    data["plurals"] = plurals
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
