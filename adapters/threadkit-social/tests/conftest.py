"""Fixtures: one real authorization server on 127.0.0.1 for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from threadkit_social.testing import free_port_url
from threadkit_social.testing_server import IdentityServer


@pytest.fixture(scope="session")
def _running_server() -> Iterator[IdentityServer]:
    with IdentityServer() as server:
        yield server


@pytest.fixture
def idp(_running_server: IdentityServer) -> IdentityServer:
    """The authorization server, with every switch at its default."""
    _running_server.reset()
    return _running_server


@pytest.fixture
def dead_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    return free_port_url()
