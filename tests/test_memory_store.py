"""MemoryStore against the store conformance suite, plus its own behaviour."""

from __future__ import annotations

import pytest

from threadkit.memory import MemoryStore
from threadkit.ports import CommentStore
from threadkit.testing import CommentStoreSuite


class TestMemoryStore(CommentStoreSuite):
    @pytest.fixture
    def store(self) -> CommentStore:
        return MemoryStore()
