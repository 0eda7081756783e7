"""MemoryStore against the thread-version conformance suite."""

from __future__ import annotations

import pytest

from threadkit.memory import MemoryStore
from threadkit.ports import CommentStore
from threadkit.testing.version_suite import ThreadVersionSuite


class TestMemoryStoreVersion(ThreadVersionSuite):
    @pytest.fixture
    def store(self) -> CommentStore:
        return MemoryStore()
