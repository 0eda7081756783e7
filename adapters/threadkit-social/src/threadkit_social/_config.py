"""Build providers from a site's configuration mapping (Flask ``app.config``, ``os.environ``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from threadkit_social._base import OAuth2Provider
from threadkit_social.oidc import GoogleProvider, OIDCProvider
from threadkit_social.providers import (
    FacebookProvider,
    GitHubProvider,
    WordPressComProvider,
    XProvider,
)

__all__ = ["providers_from_config"]

_KINDS: dict[str, type[OAuth2Provider]] = {
    "GOOGLE": GoogleProvider,
    "GITHUB": GitHubProvider,
    "FACEBOOK": FacebookProvider,
    "X": XProvider,
    "WORDPRESS": WordPressComProvider,
}


def providers_from_config(
    config: Mapping[str, Any], *, prefix: str = "THREADKIT_"
) -> list[OAuth2Provider]:
    """Return a provider for every login whose client id and secret are configured.

    Keys read, for ``<P>`` in ``GOOGLE``, ``GITHUB``, ``FACEBOOK``, ``X``,
    ``WORDPRESS`` (in that order): ``<prefix><P>_CLIENT_ID`` and
    ``<prefix><P>_CLIENT_SECRET``. A generic OpenID Connect login is added
    when ``<prefix>OIDC_DISCOVERY_URL``, ``<prefix>OIDC_CLIENT_ID`` and
    ``<prefix>OIDC_CLIENT_SECRET`` are set; ``<prefix>OIDC_NAME`` (default
    ``"oidc"``) and ``<prefix>OIDC_LABEL`` (default ``"OpenID Connect"``) name
    it. A provider with only one of its id and secret set is a mistake and
    raises ``ValueError``.

    >>> [p.name for p in providers_from_config({
    ...     "THREADKIT_GITHUB_CLIENT_ID": "id", "THREADKIT_GITHUB_CLIENT_SECRET": "s"})]
    ['github']
    """
    found: list[OAuth2Provider] = []
    for key, cls in _KINDS.items():
        credentials = _credentials(config, f"{prefix}{key}")
        if credentials is not None:
            found.append(cls(client_id=credentials[0], client_secret=credentials[1]))
    credentials = _credentials(config, f"{prefix}OIDC")
    discovery = config.get(f"{prefix}OIDC_DISCOVERY_URL")
    if credentials is not None or discovery:
        if credentials is None or not discovery:
            raise ValueError(
                f"{prefix}OIDC_DISCOVERY_URL, {prefix}OIDC_CLIENT_ID and "
                f"{prefix}OIDC_CLIENT_SECRET must all be set"
            )
        found.append(
            OIDCProvider(
                discovery_url=str(discovery),
                client_id=credentials[0],
                client_secret=credentials[1],
                name=str(config.get(f"{prefix}OIDC_NAME") or "oidc"),
                label=str(config.get(f"{prefix}OIDC_LABEL") or "OpenID Connect"),
            )
        )
    return found


def _credentials(config: Mapping[str, Any], key: str) -> tuple[str, str] | None:
    """Return ``(client_id, client_secret)`` under ``key``, ``None`` if neither is set."""
    client_id = config.get(f"{key}_CLIENT_ID")
    secret = config.get(f"{key}_CLIENT_SECRET")
    if not client_id and not secret:
        return None
    if not client_id or not secret:
        raise ValueError(f"set both {key}_CLIENT_ID and {key}_CLIENT_SECRET, or neither")
    return str(client_id), str(secret)
