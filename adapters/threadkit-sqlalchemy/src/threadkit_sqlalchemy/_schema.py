"""Table definitions the store's queries use (SQLAlchemy Core).

The production schema is created and changed by the Alembic migrations in
``threadkit_sqlalchemy/migrations``; these definitions must describe the same
tables (``tests/test_migrations.py`` compares them). ``create_all`` on this
metadata is for throwaway experiments only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect

from .migrations import frozen

__all__ = [
    "KEY_LENGTH",
    "PATH_LENGTH",
    "AUTHOR_KEY_LENGTH",
    "IP_LENGTH",
    "TEXT_BYTES",
    "LONG_TEXT_BYTES",
    "metadata",
    "threads",
    "comments",
    "votes",
    "outbox",
    "guard_locks",
    "idempotency",
    "bans",
    "site_settings",
    "subscriptions",
    "EMAIL_LENGTH",
    "UTCDateTime",
    "id_type",
    "path_type",
    "key_type",
    "long_text_type",
    "table_options",
    "reference",
]

KEY_LENGTH = 255
"""Maximum length of a thread key, in characters."""

PATH_LENGTH = 1024
"""Maximum length of a materialized path, in ASCII bytes."""

AUTHOR_KEY_LENGTH = 512
"""Maximum length of an author or voter key (``provider:subject``), in characters."""

IP_LENGTH = 64
"""Maximum length of a stored IP address, in characters."""

EMAIL_LENGTH = 320
"""Maximum length of a subscriber's (lower-cased) email address, in characters."""

TEXT_BYTES = 65_535
"""Bytes a ``TEXT`` column holds on MariaDB (the smallest limit of the three)."""

LONG_TEXT_BYTES = 16_777_215
"""Bytes a ``MEDIUMTEXT`` column (comment bodies on MariaDB) holds."""


def id_type() -> sa.types.TypeEngine[int]:
    """Return a 64-bit id type (plain ``INTEGER`` on SQLite, where rowids are 64-bit)."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def path_type() -> sa.types.TypeEngine[str]:
    """Return the ASCII path column type, compared byte by byte on every backend."""
    return (
        sa.String(PATH_LENGTH)
        .with_variant(postgresql.VARCHAR(PATH_LENGTH, collation="C"), "postgresql")
        .with_variant(
            mysql.VARCHAR(PATH_LENGTH, charset="ascii", collation="ascii_bin"), "mysql", "mariadb"
        )
    )


def key_type(length: int) -> sa.types.TypeEngine[str]:
    """Return an indexed string type compared byte by byte (case-sensitive) everywhere."""
    return (
        sa.String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(
            mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
        )
    )


def long_text_type() -> sa.types.TypeEngine[str]:
    """Return the type of comment bodies: ``TEXT``, ``MEDIUMTEXT`` on MariaDB."""
    return sa.Text().with_variant(
        mysql.MEDIUMTEXT(charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )


def table_options(autoincrement: bool = True) -> dict[str, Any]:
    """Return the per-table options: InnoDB, utf8mb4 and binary collation on MariaDB.

    ``autoincrement`` adds SQLite's ``AUTOINCREMENT`` (ids never reused), for
    tables whose primary key is a generated id. These are the options the
    migrations create every table with, so they are defined once, there.
    """
    return frozen.options(autoincrement)


def reference(name: str, target: str, constraint: str, **column: Any) -> sa.Column[int]:
    """Return an id column ``name`` with a foreign key named ``constraint`` to ``target``."""
    return sa.Column(name, id_type(), sa.ForeignKey(target, name=constraint), **column)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC datetime stored as a naive UTC timestamp with microseconds."""

    impl = sa.DateTime()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        """Use ``DATETIME(6)`` on MariaDB so microseconds survive."""
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC; refuse naive ones."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: threadkit stores UTC-aware times only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return the stored naive UTC timestamp as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


metadata = sa.MetaData()

threads = sa.Table(
    "tk_threads",
    metadata,
    sa.Column("id", id_type(), primary_key=True, autoincrement=True),
    sa.Column("key", key_type(KEY_LENGTH), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("closed", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("comment_count", sa.Integer(), nullable=False),
    sa.Column("top_level_count", sa.Integer(), nullable=False),
    sa.Column("top_seq", sa.BigInteger(), nullable=False),
    # Raised by every write that changes a page of the thread, in the write's
    # transaction: caches of encoded pages are keyed by it (migration 0003).
    sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
    sa.UniqueConstraint("key", name="uq_tk_threads_key"),
    **table_options(),
)

comments = sa.Table(
    "tk_comments",
    metadata,
    sa.Column("id", id_type(), primary_key=True, autoincrement=True),
    reference("thread_id", "tk_threads.id", "fk_tk_comments_thread", nullable=False),
    reference("parent_id", "tk_comments.id", "fk_tk_comments_parent", nullable=True),
    sa.Column("root_id", id_type(), nullable=True),
    sa.Column("sparent_id", id_type(), nullable=True),
    sa.Column("depth", sa.Integer(), nullable=False),
    sa.Column("sdepth", sa.Integer(), nullable=False),
    sa.Column("top_ord", sa.BigInteger(), nullable=False),
    sa.Column("path", path_type(), nullable=False),
    sa.Column("child_seq", sa.BigInteger(), nullable=False),
    sa.Column("author_provider", sa.Text(), nullable=False),
    sa.Column("author_subject", sa.Text(), nullable=False),
    sa.Column("author_key", key_type(AUTHOR_KEY_LENGTH), nullable=False),
    sa.Column("author_name", sa.Text(), nullable=False),
    sa.Column("author_email", sa.Text(), nullable=True),
    sa.Column("author_url", sa.Text(), nullable=True),
    sa.Column("author_avatar", sa.Text(), nullable=True),
    sa.Column("author_verified", sa.Boolean(), nullable=False),
    sa.Column("body_source", long_text_type(), nullable=False),
    sa.Column("body_html", long_text_type(), nullable=False),
    sa.Column("body_hash", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("edited_at", UTCDateTime(), nullable=True),
    sa.Column("upvotes", sa.Integer(), nullable=False),
    sa.Column("downvotes", sa.Integer(), nullable=False),
    sa.Column("neg_score", sa.Integer(), nullable=False),
    sa.Column("reply_count", sa.Integer(), nullable=False),
    sa.Column("reasons", sa.Text(), nullable=False),
    sa.Column("ctx_ip", key_type(IP_LENGTH), nullable=False),
    sa.Column("ctx_user_agent", sa.Text(), nullable=False),
    sa.Column("ctx_referrer", sa.Text(), nullable=False),
    sa.Column("ctx_language", sa.Text(), nullable=False),
    sa.Column("notify_replies", sa.Boolean(), nullable=False),
    sa.Index("ux_tk_comments_path", "thread_id", "path", unique=True),
    sa.Index("ix_tk_comments_top", "thread_id", "depth", "top_ord"),
    sa.Index("ix_tk_comments_score", "thread_id", "depth", "neg_score", "id"),
    sa.Index("ix_tk_comments_parent", "parent_id"),
    sa.Index("ix_tk_comments_thread_status", "thread_id", "status", "id"),
    sa.Index("ix_tk_comments_status", "status", "id"),
    sa.Index("ix_tk_comments_author", "author_key", "created_at"),
    sa.Index("ix_tk_comments_author_status", "author_key", "status"),
    sa.Index("ix_tk_comments_ip", "ctx_ip", "created_at"),
    sa.Index("ix_tk_comments_body", "author_key", "body_hash"),
    **table_options(),
)

votes = sa.Table(
    "tk_votes",
    metadata,
    reference("comment_id", "tk_comments.id", "fk_tk_votes_comment", primary_key=True),
    sa.Column("voter_key", key_type(AUTHOR_KEY_LENGTH), primary_key=True),
    sa.Column("value", sa.SmallInteger(), nullable=False),
    # Who cast a standing vote from where, and when (0002): the vote limit counts them.
    sa.Column("ctx_ip", key_type(IP_LENGTH), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime(), nullable=True),
    sa.Index("ix_tk_votes_voter", "voter_key"),
    sa.Index("ix_tk_votes_ip", "ctx_ip", "created_at"),
    **table_options(autoincrement=False),
)

outbox = sa.Table(
    "tk_outbox",
    metadata,
    sa.Column("id", id_type(), primary_key=True, autoincrement=True),
    sa.Column("channel", key_type(KEY_LENGTH), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("comment_id", id_type(), nullable=False),
    sa.Column("thread_key", key_type(KEY_LENGTH), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
    sa.Column("leased_until", UTCDateTime(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=False),
    sa.Index("ix_tk_outbox_due", "next_attempt_at", "id"),
    **table_options(),
)

guard_locks = sa.Table(
    "tk_guard_locks",
    metadata,
    # SHA-256 hex of a guard's lock name ("ip:203.0.113.5", "author:...", "vote:..."):
    # one row per name, locked FOR UPDATE while a write re-checks its guard (0002).
    sa.Column("name", sa.String(64), primary_key=True),
    **table_options(autoincrement=False),
)

idempotency = sa.Table(
    "tk_idempotency",
    metadata,
    # SHA-256 hex of (author key, client key): one comment per key (0002).
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("scope", key_type(AUTHOR_KEY_LENGTH), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("comment_id", id_type(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Index("ix_tk_idempotency_scope", "scope", "expires_at"),
    **table_options(autoincrement=False),
)

bans = sa.Table(
    "tk_bans",
    metadata,
    # Who may not comment (0004): an identity key, a lower-cased email, or an IP
    # address or network; until a time (NULL: for good); shadow: stored as spam.
    sa.Column("id", id_type(), primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", key_type(AUTHOR_KEY_LENGTH), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("until", UTCDateTime(), nullable=True),
    sa.Column("shadow", sa.Boolean(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.Index("ix_tk_bans_until", "until"),
    **table_options(),
)

site_settings = sa.Table(
    "tk_site_settings",
    metadata,
    # One JSON object of strings per site id (0004): the admin's per-site settings.
    sa.Column("site", key_type(KEY_LENGTH), primary_key=True),
    sa.Column("settings", sa.Text(), nullable=False),
    **table_options(autoincrement=False),
)

subscriptions = sa.Table(
    "tk_subscriptions",
    metadata,
    # "Notify me of new comments on this post" (0005): one row per thread and
    # lower-cased address, which the unique constraint enforces even for two
    # simultaneous posts, written in the transaction of the comment that asked
    # for it (comment_id; confirmed is false until an unverified address's owner
    # confirms by the emailed link).
    sa.Column("id", id_type(), primary_key=True, autoincrement=True),
    sa.Column("thread_key", key_type(KEY_LENGTH), nullable=False),
    sa.Column("email", key_type(EMAIL_LENGTH), nullable=False),
    sa.Column("author_key", key_type(AUTHOR_KEY_LENGTH), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("language", sa.Text(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("comment_id", id_type(), nullable=False),
    sa.Column("confirmed", sa.Boolean(), nullable=False),
    sa.UniqueConstraint("thread_key", "email", name="uq_tk_subscriptions_thread_email"),
    sa.Index("ix_tk_subscriptions_comment", "comment_id"),
    sa.Index("ix_tk_subscriptions_email", "email"),
    sa.Index("ix_tk_subscriptions_author", "author_key"),
    **table_options(),
)
