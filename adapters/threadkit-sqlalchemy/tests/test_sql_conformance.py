"""The core's CommentStore conformance suite, unchanged, on SQLite, PostgreSQL and MariaDB.

Every database here was created empty and upgraded to head with the shipped
Alembic migrations (see ``conftest.py``), so this also proves the migrated
schema is complete.
"""

from __future__ import annotations

import pytest
from backend_capabilities import CAPABILITIES
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.ports import CommentStore
from threadkit.testing import CommentStoreSuite


class TestSqlCommentStore(CommentStoreSuite):
    @pytest.fixture
    def store_capabilities(self, backend: str) -> frozenset[str]:
        return CAPABILITIES[backend]

    @pytest.fixture
    def store(self, sql_store: SqlCommentStore) -> CommentStore:
        return sql_store
