"""GitHub, Facebook, X and WordPress.com: profile mapping over HTTP, and their defaults."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs

import pytest
from threadkit_social import (
    FacebookProvider,
    GitHubProvider,
    OAuth2Provider,
    WordPressComProvider,
    XProvider,
)
from threadkit_social.testing_server import CLIENT_SECRET, IdentityServer

from threadkit.errors import AuthenticationRequiredError
from threadkit.models import Identity
from threadkit.ports import RedirectIdentityProvider

AVATAR = "https://avatars.example/ada.png"


def log_in(idp: IdentityServer, provider: RedirectIdentityProvider) -> Identity:
    """Run one whole login against the test server and return the identity."""
    callback = f"http://127.0.0.1:5000/auth/{provider.name}/callback"
    request = provider.begin(callback)
    return provider.complete(callback, idp.login(request.url), request.saved)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "github",
            Identity("github", "248289761001", "Ada Lovelace", "ada@example.org",
                     "https://github.com/ada", AVATAR, True),
        ),
        (
            "facebook",
            Identity("facebook", "248289761001", "Ada Lovelace", "ada@example.org",
                     None, AVATAR, True),
        ),
        (
            "x",
            Identity("x", "248289761001", "Ada Lovelace", None, "https://x.com/ada", AVATAR, True),
        ),
        (
            "wordpress",
            Identity("wordpress", "248289761001", "Ada Lovelace", "ada@example.org",
                     "https://gravatar.com/ada", AVATAR, True),
        ),
    ],
)  # fmt: skip
def test_profile_maps_to_a_verified_identity_keyed_by_user_id(
    idp: IdentityServer, kind: str, expected: Identity
) -> None:
    """Each provider's profile API answer becomes the same person, keyed by the user id."""
    actual = log_in(idp, idp.provider(kind))
    assert expected == actual


@pytest.mark.parametrize("kind", ["github", "wordpress"])
def test_unverified_email_is_dropped(idp: IdentityServer, kind: str) -> None:
    """An address the provider has not verified is not kept."""
    idp.user["email_verified"] = False
    assert log_in(idp, idp.provider(kind)).email is None


def test_github_falls_back_to_the_login_when_there_is_no_name(idp: IdentityServer) -> None:
    """A GitHub user without a display name is shown by their login."""
    idp.user["name"] = None
    assert "ada" == log_in(idp, idp.provider("github")).name


def test_github_ignores_the_free_text_blog_field(idp: IdentityServer) -> None:
    """The profile's "blog" (here a javascript: URL) never becomes the website."""
    identity = log_in(idp, idp.provider("github"))
    assert "https://github.com/ada" == identity.url


def test_unsafe_avatar_url_is_dropped(idp: IdentityServer) -> None:
    """A picture URL that is not http(s) is not kept."""
    idp.user["picture"] = "javascript:alert(1)"
    assert log_in(idp, idp.provider("wordpress")).avatar is None


def test_facebook_sends_a_valid_appsecret_proof(idp: IdentityServer) -> None:
    """Graph calls carry appsecret_proof = HMAC-SHA256(app secret, access token)."""
    log_in(idp, idp.provider("facebook"))
    (token,) = idp.tokens
    expected = hmac.new(CLIENT_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
    queries = [parse_qs(query) for _, path, query in idp.requests if path == "/facebook/me"]
    assert [[expected]] == [query["appsecret_proof"] for query in queries]


def test_profile_without_a_user_id_gives_provider_unavailable(idp: IdentityServer) -> None:
    """A profile answer with no usable id is refused clearly, not stored under an empty key."""
    idp.user["sub"] = ""
    with pytest.raises(AuthenticationRequiredError) as caught:
        log_in(idp, idp.provider("x"))
    assert "provider_unavailable" == caught.value.code


@pytest.mark.parametrize(
    ("cls", "name", "authorize", "scope"),
    [
        (GitHubProvider, "github", "https://github.com/login/oauth/authorize",
         "read:user user:email"),
        (FacebookProvider, "facebook", "https://www.facebook.com/v21.0/dialog/oauth",
         "public_profile email"),
        (XProvider, "x", "https://x.com/i/oauth2/authorize", "users.read tweet.read"),
        (WordPressComProvider, "wordpress",
         "https://public-api.wordpress.com/oauth2/authorize", "auth"),
    ],
)  # fmt: skip
def test_defaults_point_at_the_real_provider(
    cls: type[OAuth2Provider], name: str, authorize: str, scope: str
) -> None:
    """Without overrides each provider uses its real endpoints, scope and callback name."""
    provider = cls(client_id="id", client_secret="secret")
    request = provider.begin(f"https://blog.example/auth/{name}/callback")
    expected = (name, f"/comments/auth/{name}/callback", True, scope)
    actual = (
        provider.name,
        provider.callback_path("/comments/"),
        request.url.startswith(authorize + "?"),
        provider.scope,
    )
    assert expected == actual


def test_a_provider_class_must_name_itself() -> None:
    """A subclass without default_name and default_label is refused, not called "oauth2"."""

    class Unnamed(OAuth2Provider):
        default_authorize_url = "https://idp.example/authorize"

    with pytest.raises(TypeError, match="needs a default_name and a default_label"):
        Unnamed(client_id="id", client_secret="secret")
    named = Unnamed(client_id="id", client_secret="secret", name="acme", label="Acme")
    assert ("acme", "/auth/acme/callback") == (named.name, named.callback_path())


def test_name_label_and_scope_can_be_overridden(idp: IdentityServer) -> None:
    """A second GitHub login (e.g. GitHub Enterprise) gets its own name, label and callback."""
    provider = idp.provider("github", name="ghe", label="Acme GitHub", scope="read:user")
    identity = log_in(idp, provider)
    assert ("ghe", "Acme GitHub", "ghe") == (provider.name, provider.label, identity.provider)
