"""Thread version: a counter every write that changes a page of the thread raises.

Revision ID: 0003_thread_version
Revises: 0002_races
Create Date: 2026-12-02

Adds ``tk_threads.version`` (``BIGINT NOT NULL DEFAULT 0``). Caches of encoded
pages are keyed by it, and the store raises it in the same transaction as each
post, edit, status change, removal, vote and close or reopen. Existing threads
start at 0. Nothing is rewritten. After a downgrade and a new upgrade the
versions start again at 0: empty a shared (Redis) page cache then, or it may
answer with pages cached before the downgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_thread_version"
down_revision: str | None = "0002_races"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the version column, 0 for every existing thread."""
    op.add_column(
        "tk_threads", sa.Column("version", sa.BigInteger(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    """Drop the version column."""
    op.drop_column("tk_threads", "version")
