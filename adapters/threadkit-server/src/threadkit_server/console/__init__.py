"""The moderation admin a site owner can live in, at ``/admin/``.

Lists of pending, spam and recent comments across threads (per site when
several share the server), search by author name, email or IP, bulk approve /
spam / delete, bans, closing and reopening threads, and per-site settings that
the :class:`~threadkit_server.console.rules.SiteRules` step applies to every
post. Only moderators get in (the ``--admin-password`` login moderates every
site); every form is a POST with the session's CSRF token.
"""

from __future__ import annotations

from .rules import SiteRules, site_of
from .settings import MODES, SiteSettings
from .views import install

__all__ = ["MODES", "SiteRules", "SiteSettings", "install", "site_of"]
