"""Create threadkit's tables: threads, comments, votes, outbox.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25

Types come from the frozen ``migrations/frozen.py`` (not from the live schema)
so this migration keeps creating exactly the same tables in every later release.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from threadkit_sqlalchemy.migrations.frozen import (
    id_type,
    key,
    long_text,
    options,
    path,
    reference,
    when,
)

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the four tables and their indexes."""
    _create_threads()
    _create_comments()
    _create_votes()
    _create_outbox()


def _create_threads() -> None:
    op.create_table(
        "tk_threads",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        sa.Column("key", key(255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("top_level_count", sa.Integer(), nullable=False),
        sa.Column("top_seq", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("key", name="uq_tk_threads_key"),
        **options(),
    )


def _create_comments() -> None:
    op.create_table(
        "tk_comments",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        reference("thread_id", "tk_threads.id", "fk_tk_comments_thread", nullable=False),
        reference("parent_id", "tk_comments.id", "fk_tk_comments_parent", nullable=True),
        sa.Column("root_id", id_type(), nullable=True),
        sa.Column("sparent_id", id_type(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("sdepth", sa.Integer(), nullable=False),
        sa.Column("top_ord", sa.BigInteger(), nullable=False),
        sa.Column("path", path(), nullable=False),
        sa.Column("child_seq", sa.BigInteger(), nullable=False),
        sa.Column("author_provider", sa.Text(), nullable=False),
        sa.Column("author_subject", sa.Text(), nullable=False),
        sa.Column("author_key", key(512), nullable=False),
        sa.Column("author_name", sa.Text(), nullable=False),
        sa.Column("author_email", sa.Text(), nullable=True),
        sa.Column("author_url", sa.Text(), nullable=True),
        sa.Column("author_avatar", sa.Text(), nullable=True),
        sa.Column("author_verified", sa.Boolean(), nullable=False),
        sa.Column("body_source", long_text(), nullable=False),
        sa.Column("body_html", long_text(), nullable=False),
        sa.Column("body_hash", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("edited_at", when(), nullable=True),
        sa.Column("upvotes", sa.Integer(), nullable=False),
        sa.Column("downvotes", sa.Integer(), nullable=False),
        sa.Column("neg_score", sa.Integer(), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("ctx_ip", key(64), nullable=False),
        sa.Column("ctx_user_agent", sa.Text(), nullable=False),
        sa.Column("ctx_referrer", sa.Text(), nullable=False),
        sa.Column("ctx_language", sa.Text(), nullable=False),
        sa.Column("notify_replies", sa.Boolean(), nullable=False),
        **options(),
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


def _create_votes() -> None:
    op.create_table(
        "tk_votes",
        reference("comment_id", "tk_comments.id", "fk_tk_votes_comment", primary_key=True),
        sa.Column("voter_key", key(512), primary_key=True),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        **options(autoincrement=False),
    )
    op.create_index("ix_tk_votes_voter", "tk_votes", ["voter_key"])


def _create_outbox() -> None:
    op.create_table(
        "tk_outbox",
        sa.Column("id", id_type(), primary_key=True, autoincrement=True),
        sa.Column("channel", key(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("comment_id", id_type(), nullable=False),
        sa.Column("thread_key", key(255), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", when(), nullable=False),
        sa.Column("leased_until", when(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        **options(),
    )
    op.create_index("ix_tk_outbox_due", "tk_outbox", ["next_attempt_at", "id"])


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("tk_outbox")
    op.drop_table("tk_votes")
    op.drop_table("tk_comments")
    op.drop_table("tk_threads")
