"""providers_from_config: client ids and secrets come from the site's configuration."""

from __future__ import annotations

import doctest

import pytest
import threadkit_social
import threadkit_social._config
from threadkit_social import OIDCProvider, providers_from_config


def test_doctests_pass() -> None:
    """The examples in the package's docstrings are true."""
    failed = doctest.testmod(threadkit_social).failed + doctest.testmod(
        threadkit_social._config
    ).failed
    assert 0 == failed


def test_every_configured_provider_is_built_in_order() -> None:
    """Each provider with both id and secret set is built, with its credentials."""
    config = {
        "THREADKIT_WORDPRESS_CLIENT_ID": "wp-id",
        "THREADKIT_WORDPRESS_CLIENT_SECRET": "wp-secret",
        "THREADKIT_GOOGLE_CLIENT_ID": "g-id",
        "THREADKIT_GOOGLE_CLIENT_SECRET": "g-secret",
        "THREADKIT_OIDC_DISCOVERY_URL": "https://sso.example.com/.well-known/openid-configuration",
        "THREADKIT_OIDC_CLIENT_ID": "sso-id",
        "THREADKIT_OIDC_CLIENT_SECRET": "sso-secret",
        "THREADKIT_OIDC_NAME": "acme",
        "THREADKIT_OIDC_LABEL": "Acme staff",
    }
    providers = providers_from_config(config)
    expected = [
        ("google", "Google", "g-id"),
        ("wordpress", "WordPress.com", "wp-id"),
        ("acme", "Acme staff", "sso-id"),
    ]
    assert expected == [(p.name, p.label, p.client_id) for p in providers]
    assert isinstance(providers[2], OIDCProvider)
    assert "https://sso.example.com" == providers[2].issuer


def test_nothing_configured_gives_no_providers() -> None:
    """An empty configuration builds nothing (and fetches nothing)."""
    assert [] == providers_from_config({})


@pytest.mark.parametrize(
    "config",
    [
        {"THREADKIT_GITHUB_CLIENT_ID": "id"},
        {"THREADKIT_X_CLIENT_SECRET": "secret"},
        {"THREADKIT_OIDC_CLIENT_ID": "id", "THREADKIT_OIDC_CLIENT_SECRET": "secret"},
    ],
)
def test_half_configured_provider_is_an_error(config: dict[str, str]) -> None:
    """A provider with part of its settings missing fails loudly instead of vanishing."""
    with pytest.raises(ValueError, match="THREADKIT_"):
        providers_from_config(config)


def test_prefix_is_configurable() -> None:
    """Another prefix (e.g. for os.environ) selects other keys."""
    config = {"COMMENTS_X_CLIENT_ID": "id", "COMMENTS_X_CLIENT_SECRET": "s"}
    assert ["x"] == [p.name for p in providers_from_config(config, prefix="COMMENTS_")]
