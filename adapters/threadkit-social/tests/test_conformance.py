"""Every social provider passes threadkit's redirect-provider suite against a real server."""

from __future__ import annotations

import pytest
from threadkit_social.testing import IdentityServerProviderSuite
from threadkit_social.testing_server import IdentityServer

from threadkit.ports import RedirectIdentityProvider

KINDS = ["oidc", "google", "github", "facebook", "x", "wordpress"]


class TestSocialProvidersConform(IdentityServerProviderSuite):
    """Each provider shape, over HTTP against the Authlib-built test server."""

    callback_base = "http://127.0.0.1:5000/comments/auth"

    @pytest.fixture(params=KINDS)
    def provider(
        self, request: pytest.FixtureRequest, idp: IdentityServer
    ) -> RedirectIdentityProvider:
        return idp.provider(request.param)
