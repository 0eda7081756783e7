"""Create threadkit's tables: threads, comments, votes, outbox.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25

Types are spelled out here (not imported from the live schema) so this
migration keeps creating exactly the same tables in every later release.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> Any:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _key(length: int) -> Any:
    return (
        sa.String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(
            mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
        )
    )


def _path() -> Any:
    return (
        sa.String(1024)
        .with_variant(postgresql.VARCHAR(1024, collation="C"), "postgresql")
        .with_variant(
            mysql.VARCHAR(1024, charset="ascii", collation="ascii_bin"), "mysql", "mariadb"
        )
    )


def _long_text() -> Any:
    return sa.Text().with_variant(
        mysql.MEDIUMTEXT(charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
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
    """Create the four tables and their indexes."""
    op.create_table(
        "tk_threads",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("key", _key(255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("top_level_count", sa.Integer(), nullable=False),
        sa.Column("top_seq", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("key", name="uq_tk_threads_key"),
        **_options(),
    )
    op.create_table(
        "tk_comments",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column(
            "thread_id",
            _id(),
            sa.ForeignKey("tk_threads.id", name="fk_tk_comments_thread"),
            nullable=False,
        ),
        sa.Column(
            "parent_id",
            _id(),
            sa.ForeignKey("tk_comments.id", name="fk_tk_comments_parent"),
            nullable=True,
        ),
        sa.Column("root_id", _id(), nullable=True),
        sa.Column("sparent_id", _id(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("sdepth", sa.Integer(), nullable=False),
        sa.Column("top_ord", sa.BigInteger(), nullable=False),
        sa.Column("path", _path(), nullable=False),
        sa.Column("child_seq", sa.BigInteger(), nullable=False),
        sa.Column("author_provider", sa.Text(), nullable=False),
        sa.Column("author_subject", sa.Text(), nullable=False),
        sa.Column("author_key", _key(512), nullable=False),
        sa.Column("author_name", sa.Text(), nullable=False),
        sa.Column("author_email", sa.Text(), nullable=True),
        sa.Column("author_url", sa.Text(), nullable=True),
        sa.Column("author_avatar", sa.Text(), nullable=True),
        sa.Column("author_verified", sa.Boolean(), nullable=False),
        sa.Column("body_source", _long_text(), nullable=False),
        sa.Column("body_html", _long_text(), nullable=False),
        sa.Column("body_hash", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("edited_at", _when(), nullable=True),
        sa.Column("upvotes", sa.Integer(), nullable=False),
        sa.Column("downvotes", sa.Integer(), nullable=False),
        sa.Column("neg_score", sa.Integer(), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("ctx_ip", _key(64), nullable=False),
        sa.Column("ctx_user_agent", sa.Text(), nullable=False),
        sa.Column("ctx_referrer", sa.Text(), nullable=False),
        sa.Column("ctx_language", sa.Text(), nullable=False),
        sa.Column("notify_replies", sa.Boolean(), nullable=False),
        **_options(),
    )
    op.create_index("ux_tk_comments_path", "tk_comments", ["thread_id", "path"], unique=True)
    op.create_index("ix_tk_comments_top", "tk_comments", ["thread_id", "depth", "top_ord"])
    op.create_index(
        "ix_tk_comments_score", "tk_comments", ["thread_id", "depth", "neg_score", "id"]
    )
    op.create_index("ix_tk_comments_parent", "tk_comments", ["parent_id"])
    op.create_index("ix_tk_comments_thread_status", "tk_comments", ["thread_id", "status", "id"])
    op.create_index("ix_tk_comments_status", "tk_comments", ["status", "id"])
    op.create_index("ix_tk_comments_author", "tk_comments", ["author_key", "created_at"])
    op.create_index("ix_tk_comments_author_status", "tk_comments", ["author_key", "status"])
    op.create_index("ix_tk_comments_ip", "tk_comments", ["ctx_ip", "created_at"])
    op.create_index("ix_tk_comments_body", "tk_comments", ["author_key", "body_hash"])
    op.create_table(
        "tk_votes",
        sa.Column(
            "comment_id",
            _id(),
            sa.ForeignKey("tk_comments.id", name="fk_tk_votes_comment"),
            primary_key=True,
        ),
        sa.Column("voter_key", _key(512), primary_key=True),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        **_options(autoincrement=False),
    )
    op.create_index("ix_tk_votes_voter", "tk_votes", ["voter_key"])
    op.create_table(
        "tk_outbox",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("channel", _key(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("comment_id", _id(), nullable=False),
        sa.Column("thread_key", _key(255), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _when(), nullable=False),
        sa.Column("leased_until", _when(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        **_options(),
    )
    op.create_index("ix_tk_outbox_due", "tk_outbox", ["next_attempt_at", "id"])


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("tk_outbox")
    op.drop_table("tk_votes")
    op.drop_table("tk_comments")
    op.drop_table("tk_threads")
