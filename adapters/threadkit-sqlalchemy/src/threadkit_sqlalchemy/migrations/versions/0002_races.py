"""Race guards: lock rows for atomic flood control, idempotency keys, who cast each vote.

Revision ID: 0002_races
Revises: 0001_initial
Create Date: 2026-12-02

Adds ``tk_guard_locks`` (one row per guard lock name, locked while a write
re-checks flood control or the vote limit), ``tk_idempotency`` (one comment
per client key) and, on ``tk_votes``, the voter's IP and the time of the
vote. Existing votes keep their values and get an empty IP and no time, so
they never count against the new vote limit. Nothing is rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from threadkit_sqlalchemy.migrations.frozen import id_type, key, options, when

revision: str = "0002_races"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two tables and the vote columns."""
    op.create_table(
        "tk_guard_locks",
        sa.Column("name", sa.String(64), primary_key=True),
        **options(autoincrement=False),
    )
    op.create_table(
        "tk_idempotency",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("scope", key(512), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("comment_id", id_type(), nullable=False),
        sa.Column("expires_at", when(), nullable=False),
        **options(autoincrement=False),
    )
    op.create_index("ix_tk_idempotency_scope", "tk_idempotency", ["scope", "expires_at"])
    op.add_column("tk_votes", sa.Column("ctx_ip", key(64), nullable=False, server_default=""))
    op.add_column("tk_votes", sa.Column("created_at", when(), nullable=True))
    op.create_index("ix_tk_votes_ip", "tk_votes", ["ctx_ip", "created_at"])


def downgrade() -> None:
    """Drop what :func:`upgrade` added (votes keep their values)."""
    op.drop_index("ix_tk_votes_ip", table_name="tk_votes")
    op.drop_column("tk_votes", "created_at")
    op.drop_column("tk_votes", "ctx_ip")
    op.drop_index("ix_tk_idempotency_scope", table_name="tk_idempotency")
    op.drop_table("tk_idempotency")
    op.drop_table("tk_guard_locks")
