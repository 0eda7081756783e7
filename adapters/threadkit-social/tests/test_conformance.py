"""Every social provider passes threadkit's redirect-provider suite against a real server."""

from __future__ import annotations

import pytest
from threadkit_social.testing_server import IdentityServer

from threadkit.ports import RedirectIdentityProvider
from threadkit.testing.identity_suite import LoginHarness, RedirectProviderSuite

KINDS = ["oidc", "google", "github", "facebook", "x", "wordpress"]


class TestSocialProvidersConform(RedirectProviderSuite):
    """Each provider shape, over HTTP against the Authlib-built test server."""

    @pytest.fixture(params=KINDS)
    def provider(
        self, request: pytest.FixtureRequest, idp: IdentityServer
    ) -> RedirectIdentityProvider:
        return idp.provider(request.param)

    @pytest.fixture
    def redirect_uri(self, provider: RedirectIdentityProvider) -> str:
        return f"http://127.0.0.1:5000/comments/auth/{provider.name}/callback"

    @pytest.fixture
    def login(self, idp: IdentityServer) -> LoginHarness:
        return idp.login
