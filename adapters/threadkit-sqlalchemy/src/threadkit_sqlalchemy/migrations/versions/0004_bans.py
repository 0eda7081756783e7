"""Bans and per-site settings for the moderation admin.

Revision ID: 0004_bans
Revises: 0003_thread_version
Create Date: 2026-12-02

Adds ``tk_bans`` (one row per ban: kind, value, since, until or NULL for good,
shadow, reason, who set it) and ``tk_site_settings`` (one JSON object of
strings per site id). Nothing existing is touched; a downgrade drops both
tables, and the bans and settings with them. Types come from the frozen
``migrations/frozen.py``, as in 0001, so this migration keeps creating the same
tables in later releases.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from threadkit_sqlalchemy.migrations.frozen import id_type, key, options, when

revision: str = "0004_bans"
down_revision: str | None = "0003_thread_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the bans and site settings tables."""
    op.create_table(
        "tk_bans",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", key(512), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("until", when(), nullable=True),
        sa.Column("shadow", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        **options(),
    )
    op.create_index("ix_tk_bans_until", "tk_bans", ["until"])
    op.create_table(
        "tk_site_settings",
        sa.Column("site", key(255), primary_key=True),
        sa.Column("settings", sa.Text(), nullable=False),
        **options(autoincrement=False),
    )


def downgrade() -> None:
    """Drop the bans and site settings tables."""
    op.drop_table("tk_site_settings")
    op.drop_index("ix_tk_bans_until", table_name="tk_bans")
    op.drop_table("tk_bans")
