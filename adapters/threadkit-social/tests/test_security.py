"""Attacks and failures common to every provider, each over HTTP against the test server."""

from __future__ import annotations

from typing import Any

import pytest
from flask_login_support import github_at
from threadkit_social import GitHubProvider
from threadkit_social.testing import oidc_at
from threadkit_social.testing_server import IdentityServer

from threadkit.errors import AuthenticationRequiredError
from threadkit.ports import RedirectIdentityProvider

KINDS = ["oidc", "google", "github", "facebook", "x", "wordpress"]
CALLBACK = "http://127.0.0.1:5000/auth/{name}/callback"


def callback(provider: RedirectIdentityProvider) -> str:
    return CALLBACK.format(name=provider.name)


def refused(provider: RedirectIdentityProvider, params: Any, saved: Any) -> str:
    """Complete the login, expecting a refusal; return its code."""
    with pytest.raises(AuthenticationRequiredError) as caught:
        provider.complete(callback(provider), params, saved)
    return caught.value.code


@pytest.mark.parametrize("kind", KINDS)
def test_user_denying_consent_gives_access_denied(idp: IdentityServer, kind: str) -> None:
    """When the user clicks "Cancel" at the provider, the error says they declined."""
    idp.approve = False
    provider = idp.provider(kind)
    request = provider.begin(callback(provider))
    params = idp.login(request.url)
    assert "access_denied" == params["error"]
    with pytest.raises(AuthenticationRequiredError) as caught:
        provider.complete(callback(provider), params, request.saved)
    assert "access_denied" == caught.value.code
    assert "declined" in caught.value.message


@pytest.mark.parametrize("kind", KINDS)
def test_tampered_state_is_refused_before_the_code_is_used(idp: IdentityServer, kind: str) -> None:
    """A callback with a changed state is refused and its code is never sent to the server."""
    provider = idp.provider(kind)
    request = provider.begin(callback(provider))
    params = {**idp.login(request.url), "state": "attacker-chosen"}
    idp.requests.clear()
    assert "bad_state" == refused(provider, params, request.saved)
    assert [] == [r for r in idp.requests if r[1] == "/token"]


@pytest.mark.parametrize("kind", KINDS)
def test_replayed_code_is_refused_by_the_server(idp: IdentityServer, kind: str) -> None:
    """An authorization code works once; using it again is refused as code_rejected."""
    provider = idp.provider(kind)
    request = provider.begin(callback(provider))
    params = idp.login(request.url)
    provider.complete(callback(provider), params, request.saved)
    assert "code_rejected" == refused(provider, params, request.saved)


@pytest.mark.parametrize("kind", KINDS)
def test_stolen_code_without_the_pkce_verifier_is_refused(idp: IdentityServer, kind: str) -> None:
    """PKCE: a code redeemed with another login's verifier fails at the token endpoint."""
    provider = idp.provider(kind)
    victim = provider.begin(callback(provider))
    attacker = provider.begin(callback(provider))
    params = idp.login(victim.url)
    saved = {**victim.saved, "code_verifier": attacker.saved["code_verifier"]}
    assert "code_rejected" == refused(provider, params, saved)


@pytest.mark.parametrize("kind", KINDS)
def test_code_for_another_callback_url_is_refused(idp: IdentityServer, kind: str) -> None:
    """A code issued for one redirect URI cannot be redeemed for another."""
    provider = idp.provider(kind)
    request = provider.begin(callback(provider))
    params = idp.login(request.url)
    with pytest.raises(AuthenticationRequiredError) as caught:
        provider.complete("http://127.0.0.1:5000/elsewhere", params, request.saved)
    assert "code_rejected" == caught.value.code


@pytest.mark.parametrize("kind", KINDS)
def test_no_token_ends_up_in_the_identity(idp: IdentityServer, kind: str) -> None:
    """The access token is used and dropped: no identity field contains it."""
    provider = idp.provider(kind)
    request = provider.begin(callback(provider))
    identity = provider.complete(callback(provider), idp.login(request.url), request.saved)
    tokens = list(idp.tokens)
    fields = [identity.provider, identity.subject, identity.name, identity.email, identity.url]
    assert 1 == len(tokens)
    assert [] == [f for f in fields if f and tokens[0] in f]
    assert [] == [k for k in vars(provider) if "token" in k and k not in ("token_url",)]


@pytest.mark.parametrize("kind", KINDS)
def test_provider_answering_503_gives_provider_unavailable(idp: IdentityServer, kind: str) -> None:
    """A provider that is down answers with a clear provider_unavailable error."""
    provider = idp.provider(kind)
    request = provider.begin(callback(provider))
    params = idp.login(request.url)
    idp.fail_status = 503
    assert "provider_unavailable" == refused(provider, params, request.saved)


def test_unreachable_oidc_provider_gives_provider_unavailable_at_begin(dead_url: str) -> None:
    """An OIDC issuer whose discovery cannot be fetched refuses the login clearly."""
    provider = oidc_at(dead_url)
    with pytest.raises(AuthenticationRequiredError) as caught:
        provider.begin("http://127.0.0.1:5000/auth/oidc/callback")
    assert "provider_unavailable" == caught.value.code


def test_unreachable_token_endpoint_gives_provider_unavailable(dead_url: str) -> None:
    """A token endpoint that refuses connections gives provider_unavailable, not a raw error."""
    provider = github_at(dead_url)
    request = provider.begin("http://127.0.0.1:5000/auth/github/callback")
    params = {"code": "abc", "state": request.saved["state"]}
    assert "provider_unavailable" == refused(provider, params, request.saved)


def test_unknown_provider_error_is_reported_with_its_code() -> None:
    """An error other than access_denied is reported as provider_error, naming it."""
    provider = GitHubProvider(client_id="id", client_secret="secret")
    request = provider.begin("http://127.0.0.1:5000/auth/github/callback")
    params = {"error": "temporarily_unavailable", "state": request.saved["state"]}
    with pytest.raises(AuthenticationRequiredError) as caught:
        provider.complete("http://127.0.0.1:5000/auth/github/callback", params, request.saved)
    assert ("provider_error", True) == (
        caught.value.code,
        "temporarily_unavailable" in caught.value.message,
    )


def test_missing_code_is_refused() -> None:
    """A callback with the right state but no code is refused clearly."""
    provider = GitHubProvider(client_id="id", client_secret="secret")
    request = provider.begin("http://127.0.0.1:5000/auth/github/callback")
    params = {"state": request.saved["state"]}
    assert "missing_code" == refused(provider, params, request.saved)


def test_lost_session_says_the_login_expired() -> None:
    """A callback without saved values says the login expired (e.g. cookie lost)."""
    provider = GitHubProvider(client_id="id", client_secret="secret")
    assert "login_expired" == refused(provider, {"code": "c", "state": "s"}, {})


def test_providers_need_client_credentials() -> None:
    """Building a provider without a client id or secret fails early."""
    with pytest.raises(ValueError, match="client_id"):
        GitHubProvider(client_id="", client_secret="secret")


def test_pkce_can_be_turned_off_for_servers_without_it(idp: IdentityServer) -> None:
    """use_pkce=False sends no challenge; this server requires PKCE, so it answers an error."""
    provider = idp.provider("github", use_pkce=False)
    request = provider.begin(callback(provider))
    assert ("code_challenge" in request.url, "code_verifier" in request.saved) == (False, False)
    params = idp.login(request.url)
    assert "invalid_request" == params["error"]
    assert "provider_error" == refused(provider, params, request.saved)
    idp.require_pkce = False
    request = provider.begin(callback(provider))
    identity = provider.complete(callback(provider), idp.login(request.url), request.saved)
    assert "248289761001" == identity.subject


@pytest.mark.parametrize("kind", KINDS)
def test_provider_answering_garbage_gives_provider_unavailable(
    idp: IdentityServer, kind: str
) -> None:
    """A 200 answer that is not the JSON the API documents is refused clearly."""
    provider = idp.provider(kind)
    request = provider.begin(callback(provider))
    params = idp.login(request.url)
    idp.fail_status = 200
    assert "provider_unavailable" == refused(provider, params, request.saved)
