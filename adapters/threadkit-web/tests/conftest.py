"""Fixtures of the shared web layer's tests: one site's state, no web framework."""

from __future__ import annotations

import pytest
from threadkit_web.state import WebState, build_state

from threadkit.memory import MemoryStore


@pytest.fixture
def state() -> WebState:
    """A site whose threads take comments on any key; Alice (subject "1") moderates."""
    return build_state(
        {"THREADKIT_THREAD_POLICY": "any"},
        store=MemoryStore(),
        secret="test secret",
        is_moderator=lambda who: who is not None and who.subject == "1",
    )
