"""threadkit-social: comment as yourself via Google, GitHub, Facebook, X, WordPress.com, OIDC.

Each class here is a :class:`threadkit.ports.RedirectIdentityProvider` built
on Authlib's client (``requests`` based) and joserfc for ID tokens. None of
them imports a web framework: the web adapter calls ``begin`` in its login
route, keeps ``AuthorizationRequest.saved`` in the session, and calls
``complete`` from ``<prefix>/auth/<name>/callback`` with the query
parameters and the saved values (removing them from the session first, so a
callback can be used only once).

>>> provider = GitHubProvider(client_id="id", client_secret="secret")
>>> (provider.name, provider.label, provider.callback_path("/comments"))
('github', 'GitHub', '/comments/auth/github/callback')
"""

# Lockstep with the core: one version for every threadkit distribution.
from threadkit import __version__ as __version__
from threadkit_social._base import OAuth2Provider, ProfileError
from threadkit_social._config import providers_from_config
from threadkit_social.oidc import GoogleProvider, OIDCProvider
from threadkit_social.providers import (
    FacebookProvider,
    GitHubProvider,
    WordPressComProvider,
    XProvider,
)

__all__ = [
    "FacebookProvider",
    "GitHubProvider",
    "GoogleProvider",
    "OAuth2Provider",
    "OIDCProvider",
    "ProfileError",
    "WordPressComProvider",
    "XProvider",
    "providers_from_config",
]
