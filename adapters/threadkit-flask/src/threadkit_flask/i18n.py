"""Every reader's language, for Flask: which one this request wants, and Jinja's setup.

The language of a request is, in order: what the host says (``init_app(locale=...)``
or the ``THREADKIT_LOCALE`` setting: a language tag, or a callable returning one
or ``None``), else the best shipped match of the ``Accept-Language`` header,
else English. Catalogs, dates, numbers and error messages are the shared web
layer's (:mod:`threadkit_web.i18n`, where ``LANGUAGES``, ``CATALOGS`` and the
other constants live); this module only finds the request's language and passes
it on, so the functions below default to it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app, has_request_context, request
from threadkit_web import i18n as web_i18n
from threadkit_web import jinja
from threadkit_web.i18n import DEFAULT_LANGUAGE, translations

from threadkit.errors import ThreadkitError

__all__ = [
    "LocaleSetting",
    "current_locale",
    "direction",
    "error_message",
    "format_number",
    "format_when",
    "gettext",
    "install",
    "js_catalog",
    "ngettext",
]

LocaleSetting = str | Callable[[], str | None] | None
"""A language tag, or a callable the current request asks (``None``: no opinion)."""

_CONFIG_KEY = "THREADKIT_LOCALE"
_EXTENSION_KEY = "threadkit.i18n"
_ENVIRON_KEY = "threadkit.locale"


def install(app: Flask, locale: LocaleSetting = None) -> None:
    """Set up ``app``: its language choice and Jinja's i18n extension with threadkit's catalogs.

    ``locale`` (else ``app.config["THREADKIT_LOCALE"]``) is what the host
    says; see the module docstring for the order of choice.
    """
    app.extensions[_EXTENSION_KEY] = locale if locale is not None else app.config.get(_CONFIG_KEY)
    jinja.configure(app.jinja_env, current_locale)


def current_locale() -> str:
    """Return the language of the current request (English outside of one)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = request.environ.get(_ENVIRON_KEY)
    if isinstance(chosen, str):
        return chosen
    setting = current_app.extensions.get(_EXTENSION_KEY)
    host = setting() if callable(setting) else setting
    chosen = web_i18n.choose_language(
        host if isinstance(host, str) else None,
        web_i18n.accept_language_tags(request.headers.get("Accept-Language")),
    )
    request.environ[_ENVIRON_KEY] = chosen
    return chosen


def direction(language: str | None = None) -> str:
    """Return ``"rtl"`` or ``"ltr"``: the writing direction of ``language`` (default: current)."""
    return web_i18n.direction(language or current_locale())


def gettext(message: str) -> str:
    """Translate ``message`` into the current request's language."""
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate the form of ``singular`` / ``plural`` that ``count`` takes in this language."""
    return translations(current_locale()).ngettext(singular, plural, count)


def error_message(error: ThreadkitError) -> str:
    """Return the message of ``error`` for this request's reader (by its code, else English)."""
    return web_i18n.error_message(error, current_locale())


def format_number(value: int) -> str:
    """Return ``value`` written for the current language (``"1,200"``, ``"1.200"``)."""
    return web_i18n.format_number(value, current_locale())


def format_when(moment: datetime, language: str | None = None) -> str:
    """Return the long date and short time of ``moment`` in UTC, for ``language`` (or current)."""
    return web_i18n.format_when(moment, language or current_locale())


def js_catalog(language: str | None = None) -> str:
    """Return the JSON catalog threadkit.js reads, for ``language`` (default: current)."""
    return web_i18n.js_catalog(language or current_locale())
