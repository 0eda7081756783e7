"""The emails' words in the recipient's language, from the catalogs every adapter shares.

A commenter gets a reply email in the language their browser asked for when
they posted (the ``Accept-Language`` kept in the comment's context), else the
site's; moderators get the site's language. The strings live in the shared
``threadkit`` catalogs (``threadkit_web``; ``babel.cfg`` extracts this package).
"""

from __future__ import annotations

import html

from threadkit_web.i18n import DEFAULT_LANGUAGE, accept_language_tags, match_language, translations

__all__ = ["Texts", "recipient_language"]


def recipient_language(accept_language: str, site_language: str) -> str:
    """Return the shipped language a recipient asked for, else the site's, else English.

    >>> recipient_language("pl-PL, en;q=0.5", "en"), recipient_language("sv", "de")
    ('pl', 'de')
    """
    for tag in accept_language_tags(accept_language):
        found = match_language(tag)
        if found is not None:
            return found
    return match_language(site_language) or DEFAULT_LANGUAGE


class Texts:
    """One email's strings: ``texts("Hello %(name)s,", name=...)`` translated and filled."""

    def __init__(self, language: str) -> None:
        self.language = match_language(language) or DEFAULT_LANGUAGE
        self._catalog = translations(self.language)

    def gettext(self, message: str) -> str:
        """Return ``message`` translated (unfilled), for code that fills it itself."""
        return self._catalog.gettext(message)

    def __call__(self, message: str, **values: object) -> str:
        """Return ``message`` translated, its ``%(name)s`` placeholders filled."""
        return self._catalog.gettext(message) % values

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """Return the form ``count`` takes in this language, filled (``num`` is the count)."""
        return self._catalog.ngettext(singular, plural, count) % {"num": count, **values}

    def html(self, message: str, **values: str) -> str:
        """Return ``message`` translated for HTML: the text and every value escaped."""
        escaped = {name: html.escape(value) for name, value in values.items()}
        return html.escape(self._catalog.gettext(message), quote=False) % escaped
