"""Thread subscriptions: "Notify me of new comments on this post".

Revision ID: 0005_subscriptions
Revises: 0004_bans
Create Date: 2026-12-02

Adds ``tk_subscriptions``: one row per thread and lower-cased email address
(a unique constraint) that asked for an email about every new comment (thread
key, address, the author's identity key, name and ``Accept-Language``, since
when, the comment that asked, whether the address's owner confirmed). Nothing
existing is touched; a downgrade drops the table, and the subscriptions with
it. Types come from the frozen ``migrations/frozen.py``, as in 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from threadkit_sqlalchemy.migrations.frozen import id_type, key, options, when

revision: str = "0005_subscriptions"
down_revision: str | None = "0004_bans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the subscriptions table, its unique constraint and its three indexes."""
    op.create_table(
        "tk_subscriptions",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        sa.Column("thread_key", key(255), nullable=False),
        sa.Column("email", key(320), nullable=False),
        sa.Column("author_key", key(512), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("comment_id", id_type(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("thread_key", "email", name="uq_tk_subscriptions_thread_email"),
        **options(),
    )
    op.create_index("ix_tk_subscriptions_comment", "tk_subscriptions", ["comment_id"])
    op.create_index("ix_tk_subscriptions_email", "tk_subscriptions", ["email"])
    op.create_index("ix_tk_subscriptions_author", "tk_subscriptions", ["author_key"])


def downgrade() -> None:
    """Drop the subscriptions table (its indexes go with it)."""
    op.drop_index("ix_tk_subscriptions_author", table_name="tk_subscriptions")
    op.drop_index("ix_tk_subscriptions_email", table_name="tk_subscriptions")
    op.drop_index("ix_tk_subscriptions_comment", table_name="tk_subscriptions")
    op.drop_table("tk_subscriptions")
