"""The server's own pages (front page, login, the moderation admin) in the reader's language.

Their templates mark strings with ``_()`` (the catalogs every web adapter shares,
installed on the app's Jinja environment by ``ThreadKit``); this module gives
them what else a translated page needs: ``page_lang()`` and ``page_dir()`` for
``<html lang dir>``, ``page_when(moment)`` for a date written the reader's way,
and ``reason_text(reason)``, the moderation reason as a sentence, not a code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from threadkit_flask import i18n
from threadkit_web.i18n import html_lang
from threadkit_web.reasons import reason_sentence

from threadkit.models import Reason

__all__ = ["install", "reason_text"]


def reason_text(reason: Reason) -> str:
    """Return why a comment was held or marked, as a sentence in the reader's language."""
    return reason_sentence(reason, i18n.gettext)


def _globals() -> dict[str, Any]:
    return {
        "page_lang": lambda: html_lang(i18n.current_locale()),
        "page_dir": lambda: i18n.direction(i18n.current_locale()),
        "page_when": lambda moment: _when(moment),
        "reason_text": reason_text,
    }


def _when(moment: datetime) -> str:
    return i18n.format_when(moment, i18n.current_locale())


def install(app: Flask) -> None:
    """Give the server's templates the page's language, direction, dates and reasons."""
    app.context_processor(_globals)
