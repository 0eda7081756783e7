"""Plain OAuth 2.0 logins with a profile API: GitHub, Facebook, X and WordPress.com.

Each provider's account key is the provider's stable numeric user id (never
the login name, which can be renamed, nor the email). Every endpoint can be
overridden, e.g. to point tests at a local server.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

from authlib.integrations.requests_client import OAuth2Session

from threadkit.models import Identity
from threadkit_social._base import OAuth2Options, OAuth2Provider, ProfileError

__all__ = ["FacebookProvider", "GitHubProvider", "WordPressComProvider", "XProvider"]


def _object(value: Any, what: str) -> dict[str, Any]:
    """Return ``value`` if it is a JSON object, else raise :class:`ProfileError`."""
    if not isinstance(value, dict):
        raise ProfileError(f"{what} is not a JSON object")
    return value


class _ApiProvider(OAuth2Provider):
    """An OAuth 2.0 provider whose profile lives under one API base URL."""

    default_api_url: ClassVar[str] = ""

    def __init__(self, *, api_url: str | None = None, **options: Unpack[OAuth2Options]) -> None:
        super().__init__(**options)
        self.api_url = (api_url or self.default_api_url).rstrip("/")


class GitHubProvider(_ApiProvider):
    """Log in with GitHub (an OAuth App or a GitHub App's user authorization).

    Register ``https://your.site<prefix>/auth/github/callback`` as the
    "Authorization callback URL". Scope ``read:user user:email``; the email is
    the primary address from ``GET /user/emails`` and only if GitHub has
    verified it. The key is GitHub's numeric user id; the website is the
    GitHub profile page (the free-text "blog" field is not used).
    """

    default_name: ClassVar[str] = "github"
    default_label: ClassVar[str] = "GitHub"
    default_scope: ClassVar[str] = "read:user user:email"
    default_authorize_url: ClassVar[str] = "https://github.com/login/oauth/authorize"
    default_token_url: ClassVar[str] = "https://github.com/login/oauth/access_token"
    default_api_url: ClassVar[str] = "https://api.github.com"
    _headers: ClassVar[dict[str, str]] = {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }

    def profile(
        self, session: OAuth2Session, token: dict[str, Any], saved: Mapping[str, str]
    ) -> Identity:
        """Map ``GET /user`` (and ``/user/emails``) to an identity."""
        user = _object(
            self.get_json(session, f"{self.api_url}/user", headers=self._headers), "user"
        )
        emails = self.get_json(session, f"{self.api_url}/user/emails", headers=self._headers)
        verified = [
            entry
            for entry in (emails if isinstance(emails, list) else [])
            if isinstance(entry, dict) and entry.get("verified") is True
        ]
        primary = [entry for entry in verified if entry.get("primary") is True]
        email = (primary or verified or [{}])[0].get("email")
        return self.make_identity(
            user.get("id"),
            names=(user.get("name"), user.get("login")),
            email=email,
            url=user.get("html_url"),
            avatar=user.get("avatar_url"),
        )


class FacebookProvider(_ApiProvider):
    """Log in with Facebook.

    In the Meta app dashboard, add ``https://your.site<prefix>/auth/facebook/callback``
    to "Valid OAuth Redirect URIs". Scope ``public_profile email``. The key is
    the app-scoped user id; every Graph call carries ``appsecret_proof`` (an
    HMAC of the token with the app secret), so a stolen token is useless
    without the secret. The email is whatever address Facebook returns (it
    omits the field when it has no valid address for the user).
    """

    default_name: ClassVar[str] = "facebook"
    default_label: ClassVar[str] = "Facebook"
    default_scope: ClassVar[str] = "public_profile email"
    default_authorize_url: ClassVar[str] = "https://www.facebook.com/v21.0/dialog/oauth"
    default_token_url: ClassVar[str] = "https://graph.facebook.com/v21.0/oauth/access_token"
    default_api_url: ClassVar[str] = "https://graph.facebook.com/v21.0"
    token_endpoint_auth_method: ClassVar[str] = "client_secret_post"

    def profile(
        self, session: OAuth2Session, token: dict[str, Any], saved: Mapping[str, str]
    ) -> Identity:
        """Map Graph ``GET /me?fields=id,name,email,picture`` to an identity."""
        proof = hmac.new(
            self.client_secret.encode(), str(token.get("access_token", "")).encode(), hashlib.sha256
        ).hexdigest()
        me = _object(
            self.get_json(
                session,
                f"{self.api_url}/me",
                params={"fields": "id,name,email,picture", "appsecret_proof": proof},
            ),
            "me",
        )
        picture = me.get("picture")
        data = picture.get("data") if isinstance(picture, dict) else None
        return self.make_identity(
            me.get("id"),
            names=(me.get("name"),),
            email=me.get("email"),
            avatar=data.get("url") if isinstance(data, dict) else None,
        )


class XProvider(_ApiProvider):
    """Log in with X (formerly Twitter), OAuth 2.0 with PKCE.

    In the X developer portal, enable "OAuth 2.0" as a "Web App"
    (confidential client) and add ``https://your.site<prefix>/auth/x/callback``
    as a callback URI. Scope ``users.read tweet.read`` (X requires both to
    read the profile). The key is the numeric user id; the website is the
    ``https://x.com/<username>`` profile page. X shares no email here.
    """

    default_name: ClassVar[str] = "x"
    default_label: ClassVar[str] = "X"
    default_scope: ClassVar[str] = "users.read tweet.read"
    default_authorize_url: ClassVar[str] = "https://x.com/i/oauth2/authorize"
    default_token_url: ClassVar[str] = "https://api.x.com/2/oauth2/token"
    default_api_url: ClassVar[str] = "https://api.x.com"
    profile_base: ClassVar[str] = "https://x.com/"

    def profile(
        self, session: OAuth2Session, token: dict[str, Any], saved: Mapping[str, str]
    ) -> Identity:
        """Map ``GET /2/users/me`` to an identity."""
        body = _object(
            self.get_json(
                session,
                f"{self.api_url}/2/users/me",
                params={"user.fields": "profile_image_url"},
            ),
            "users/me",
        )
        user = _object(body.get("data"), "users/me data")
        username = user.get("username")
        return self.make_identity(
            user.get("id"),
            names=(user.get("name"), username),
            url=f"{self.profile_base}{username}" if isinstance(username, str) else None,
            avatar=user.get("profile_image_url"),
        )


class WordPressComProvider(_ApiProvider):
    """Log in with WordPress.com.

    At developer.wordpress.com/apps create an application and set its
    "Redirect URLs" to ``https://your.site<prefix>/auth/wordpress/callback``.
    Scope ``auth`` (the profile only). The key is the numeric user id; the
    email is kept only when ``email_verified`` is true.
    """

    default_name: ClassVar[str] = "wordpress"
    default_label: ClassVar[str] = "WordPress.com"
    default_scope: ClassVar[str] = "auth"
    default_authorize_url: ClassVar[str] = "https://public-api.wordpress.com/oauth2/authorize"
    default_token_url: ClassVar[str] = "https://public-api.wordpress.com/oauth2/token"
    default_api_url: ClassVar[str] = "https://public-api.wordpress.com"
    token_endpoint_auth_method: ClassVar[str] = "client_secret_post"

    def profile(
        self, session: OAuth2Session, token: dict[str, Any], saved: Mapping[str, str]
    ) -> Identity:
        """Map ``GET /rest/v1/me`` to an identity."""
        me = _object(self.get_json(session, f"{self.api_url}/rest/v1/me"), "me")
        return self.make_identity(
            me.get("ID"),
            names=(me.get("display_name"), me.get("username")),
            email=me.get("email") if me.get("email_verified") is True else None,
            url=me.get("profile_URL"),
            avatar=me.get("avatar_URL"),
        )
