"""Where the shared templates, static files and catalogs are on disk."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent

#: Jinja templates, under ``threadkit/`` (``threadkit/thread.html`` ...).
TEMPLATES = _HERE / "templates"
#: ``threadkit.css``, ``threadkit.js`` and the other files served as static assets.
STATIC = _HERE / "static"
#: gettext catalogs: ``<lang>/LC_MESSAGES/threadkit.po``.
CATALOGS = _HERE / "translations"
