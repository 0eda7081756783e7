"""OpenID Connect: discovery, full ID-token validation and claim mapping, over HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask_login_support import ada_by_oidc
from threadkit_social import GoogleProvider, OIDCProvider
from threadkit_social.testing_server import CLIENT_ID, CLIENT_SECRET, IdentityServer

from threadkit.errors import AuthenticationRequiredError
from threadkit.models import Identity

CALLBACK = "http://127.0.0.1:5000/auth/testidp/callback"


def log_in(idp: IdentityServer, provider: OIDCProvider, **extra: str) -> Identity:
    """Run one whole login against the test server and return the identity."""
    request = provider.begin(CALLBACK)
    params = {**idp.login(request.url), **extra}
    return provider.complete(CALLBACK, params, request.saved)


def refused_code(idp: IdentityServer, provider: OIDCProvider, **extra: str) -> str:
    """Run a login that must be refused; return the error code."""
    with pytest.raises(AuthenticationRequiredError) as caught:
        log_in(idp, provider, **extra)
    return caught.value.code


@pytest.fixture
def provider(idp: IdentityServer) -> OIDCProvider:
    provider = idp.provider("oidc")
    assert isinstance(provider, OIDCProvider)
    return provider


def test_login_keys_the_account_by_issuer_and_subject(
    idp: IdentityServer, provider: OIDCProvider
) -> None:
    """The identity's subject is "<issuer>#<sub>"; name, verified email and picture are mapped."""
    expected = ada_by_oidc("testidp", idp)
    actual = log_in(idp, provider)
    assert expected == actual


def test_the_authorization_url_carries_nonce_and_s256_challenge(provider: OIDCProvider) -> None:
    """The login URL carries a fresh nonce, a PKCE S256 challenge and the openid scope."""
    request = provider.begin(CALLBACK)
    assert f"nonce={request.saved['nonce']}" in request.url
    assert "code_challenge_method=S256" in request.url
    assert "scope=openid+email+profile" in request.url


def test_discovery_is_fetched_once_and_reused(idp: IdentityServer, provider: OIDCProvider) -> None:
    """Two logins fetch the discovery document and the keys only once."""
    log_in(idp, provider)
    log_in(idp, provider)
    paths = [path for _, path, _ in idp.requests]
    assert (1, 1) == (paths.count("/.well-known/openid-configuration"), paths.count("/jwks"))


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"nonce": "not-the-saved-nonce"}, "Invalid claim: 'nonce'"),
        ({"nonce": None}, "Missing claim: 'nonce'"),
        ({"aud": "another-client"}, "Invalid claim: 'aud'"),
        ({"aud": ["another-client"]}, "Invalid claim: 'aud'"),
        ({"aud": [CLIENT_ID, "another-client"]}, "azp is not this client"),
        ({"azp": "another-client"}, "azp is not this client"),
        ({"iss": "https://evil.example"}, "Invalid claim: 'iss'"),
        ({"iss": None}, "Missing claim: 'iss'"),
        ({"sub": None}, "Missing claim: 'sub'"),
        ({"exp": None}, "Missing claim: 'exp'"),
        ({"iat": None}, "Missing claim: 'iat'"),
        ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "at_hash does not match"),
    ],
)
def test_id_token_with_bad_claims_is_refused(
    idp: IdentityServer, provider: OIDCProvider, claims: dict[str, Any], detail: str
) -> None:
    """Each claim is checked: a token failing any check logs nobody in, saying which."""
    idp.id_token_claims = claims
    with pytest.raises(AuthenticationRequiredError) as caught:
        log_in(idp, provider)
    assert ("invalid_id_token", True) == (caught.value.code, detail in caught.value.message)


def test_expired_id_token_is_refused(idp: IdentityServer, provider: OIDCProvider) -> None:
    """An ID token whose exp passed (beyond the leeway) is refused."""
    now = int(time.time())
    idp.id_token_claims = {"iat": now - 7200, "exp": now - 3600}
    assert "invalid_id_token" == refused_code(idp, provider)


def test_id_token_issued_in_the_future_is_refused(
    idp: IdentityServer, provider: OIDCProvider
) -> None:
    """An ID token whose iat is an hour ahead (beyond the leeway) is refused."""
    now = int(time.time())
    idp.id_token_claims = {"iat": now + 3600, "exp": now + 7200}
    assert "invalid_id_token" == refused_code(idp, provider)


def test_several_audiences_with_our_azp_are_accepted(
    idp: IdentityServer, provider: OIDCProvider
) -> None:
    """The audience may list other parties when azp names this client."""
    idp.id_token_claims = {"aud": [CLIENT_ID, "another-client"], "azp": CLIENT_ID}
    assert "Ada Lovelace" == log_in(idp, provider).name


def test_unsigned_alg_none_token_is_refused(idp: IdentityServer, provider: OIDCProvider) -> None:
    """alg=none tokens are never accepted, whatever they claim."""
    idp.id_token_alg = "none"
    assert "invalid_id_token" == refused_code(idp, provider)


def test_token_maced_with_the_client_secret_is_refused(
    idp: IdentityServer, provider: OIDCProvider
) -> None:
    """Algorithm confusion: an HS256 token keyed with the client secret is refused."""
    idp.id_token_alg = "HS256"
    assert "invalid_id_token" == refused_code(idp, provider)


def test_token_signed_by_a_key_not_in_the_jwks_is_refused(
    idp: IdentityServer, provider: OIDCProvider
) -> None:
    """A signature by another key (even with a known kid) is refused."""
    idp.sign_with_unknown_key = True
    assert "invalid_id_token" == refused_code(idp, provider)


def test_rotated_signing_key_is_fetched_again(idp: IdentityServer, provider: OIDCProvider) -> None:
    """After the issuer rotates its key, the new kid triggers one JWKS refresh and login works."""
    log_in(idp, provider)
    idp.rotate_key()
    assert "Ada Lovelace" == log_in(idp, provider).name
    assert 2 == [path for _, path, _ in idp.requests].count("/jwks")


def test_callback_iss_of_another_issuer_is_refused(
    idp: IdentityServer, provider: OIDCProvider
) -> None:
    """Mix-up defence (RFC 9207): an iss parameter naming another issuer is refused."""
    assert "issuer_mismatch" == refused_code(idp, provider, iss="https://evil.example")


def test_callback_iss_of_this_issuer_is_accepted(
    idp: IdentityServer, provider: OIDCProvider
) -> None:
    """An iss parameter naming this issuer is fine."""
    assert "Ada Lovelace" == log_in(idp, provider, iss=idp.issuer).name


def test_unverified_email_is_not_kept(idp: IdentityServer, provider: OIDCProvider) -> None:
    """An email the issuer has not verified is dropped (it is never a key anyway)."""
    idp.user["email_verified"] = False
    assert log_in(idp, provider).email is None


def test_name_missing_from_id_token_comes_from_userinfo(
    idp: IdentityServer, provider: OIDCProvider
) -> None:
    """If the ID token has no name, the userinfo endpoint is asked (for the same sub)."""
    idp.id_token_claims = {"name": None}
    assert "Ada Lovelace" == log_in(idp, provider).name
    assert "/userinfo" in [path for _, path, _ in idp.requests]


def test_control_characters_in_the_name_fall_back_to_a_clean_name(
    idp: IdentityServer, provider: OIDCProvider
) -> None:
    """A hostile display name is not stored; a plain fallback name is used."""
    idp.user["name"] = "Ada\u202eecalevoL"
    assert "OpenID Connect user" == log_in(idp, provider).name


def test_missing_id_token_is_refused(idp: IdentityServer) -> None:
    """Without the openid scope no ID token comes back, and the login is refused."""
    provider = idp.provider("oidc", scope="email profile")
    assert isinstance(provider, OIDCProvider)
    assert "invalid_id_token" == refused_code(idp, provider)


def test_discovery_naming_another_issuer_is_refused(idp: IdentityServer) -> None:
    """The discovery document must name the issuer we expect; otherwise no login starts."""
    provider = OIDCProvider(
        discovery_url=f"{idp.base_url}/.well-known/openid-configuration",
        issuer="https://login.example.com",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    with pytest.raises(AuthenticationRequiredError) as caught:
        provider.begin(CALLBACK)
    assert "provider_unavailable" == caught.value.code


def test_google_defaults_and_both_issuer_spellings() -> None:
    """Google is discovered from accounts.google.com and accepts both iss spellings."""
    provider = GoogleProvider(client_id="id", client_secret="secret")
    expected = (
        "google",
        "Google",
        "https://accounts.google.com/.well-known/openid-configuration",
        ("https://accounts.google.com", "accounts.google.com"),
    )
    actual = (provider.name, provider.label, provider.discovery_url, provider.accepted_issuers())
    assert expected == actual


def test_oidc_provider_needs_a_discovery_url() -> None:
    """An OIDCProvider without a discovery URL is a configuration error."""
    with pytest.raises(ValueError, match="discovery_url"):
        OIDCProvider(client_id="id", client_secret="secret")


def test_issuer_with_a_trailing_slash_is_taken_from_discovery(idp: IdentityServer) -> None:
    """An issuer "https://host/" (Auth0 style) is found from the discovery URL and kept exact."""
    idp.issuer_override = idp.base_url + "/"
    provider = idp.provider("oidc")
    assert isinstance(provider, OIDCProvider)
    assert f"{idp.base_url}/#248289761001" == log_in(idp, provider).subject


def test_explicit_issuer_must_match_exactly(idp: IdentityServer) -> None:
    """When the site names the issuer, a discovery document differing by a slash is refused."""
    idp.issuer_override = idp.base_url + "/"
    provider = idp.provider("oidc", issuer=idp.base_url)
    with pytest.raises(AuthenticationRequiredError) as caught:
        provider.begin(CALLBACK)
    assert "provider_unavailable" == caught.value.code
