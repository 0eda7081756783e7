"""Bans and per-site settings for the moderation admin.

Revision ID: 0004_bans
Revises: 0003_thread_version
Create Date: 2026-12-02

Adds ``tk_bans`` (one row per ban: kind, value, since, until or NULL for good,
shadow, reason, who set it) and ``tk_site_settings`` (one JSON object of
strings per site id). Nothing existing is touched; a downgrade drops both
tables, and the bans and settings with them. Types are spelled out here, as
in 0001, so this migration keeps creating the same tables in later releases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql

revision: str = "0004_bans"
down_revision: str | None = "0003_thread_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(length: int) -> Any:
    return (
        sa.String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(
            mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
        )
    )


def _when() -> Any:
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _options(autoincrement: bool = True) -> dict[str, Any]:
    options: dict[str, Any] = {
        "mysql_engine": "InnoDB",
        "mysql_charset": "utf8mb4",
        "mysql_collate": "utf8mb4_bin",
    }
    if autoincrement:
        options["sqlite_autoincrement"] = True
    return options


def upgrade() -> None:
    """Create the bans and site settings tables."""
    op.create_table(
        "tk_bans",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", _key(512), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("until", _when(), nullable=True),
        sa.Column("shadow", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        **_options(),
    )
    op.create_index("ix_tk_bans_until", "tk_bans", ["until"])
    op.create_table(
        "tk_site_settings",
        sa.Column("site", _key(255), primary_key=True),
        sa.Column("settings", sa.Text(), nullable=False),
        **_options(autoincrement=False),
    )


def downgrade() -> None:
    """Drop the bans and site settings tables."""
    op.drop_table("tk_site_settings")
    op.drop_index("ix_tk_bans_until", table_name="tk_bans")
    op.drop_table("tk_bans")
