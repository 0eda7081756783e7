"""Who may use the moderation admin, and which sites they see in it."""

from __future__ import annotations

from threadkit_flask.visitors import logged_in_identity

from threadkit.errors import PermissionDeniedError
from threadkit.models import Actor, Identity
from threadkit_server.config import ServerConfig, Site

__all__ = ["admin_actor", "moderated_sites"]

_ADMIN_PROVIDER = "admin"


def _moderates(identity: Identity, config: ServerConfig, site: Site) -> bool:
    if identity.provider == _ADMIN_PROVIDER:
        return True
    allowed = set(config.moderators) | set(site.moderators)
    if identity.key in allowed:
        return True
    return identity.verified and bool(identity.email) and identity.email in allowed


def moderated_sites(config: ServerConfig, identity: Identity | None) -> list[Site]:
    """Return the sites ``identity`` moderates: every site for the admin login."""
    if identity is None:
        return []
    return [site for site in config.sites if _moderates(identity, config, site)]


def admin_actor(config: ServerConfig) -> tuple[Actor, list[Site]]:
    """Return the logged-in moderator and their sites; 403 for anyone else."""
    identity = logged_in_identity()
    sites = moderated_sites(config, identity)
    if identity is None or not sites:
        raise PermissionDeniedError(
            "not_moderator",
            "Only the site's moderators may use the admin: log in at /admin/login "
            "(the --admin-password) or with a login listed in --moderator.",
        )
    return Actor(identity, moderator=True), sites
