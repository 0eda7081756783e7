"""Column types and table options the migrations share, frozen as the migrations are.

Every migration must keep creating exactly the same tables in every later
release, so the migrations do not use the live schema (``_schema.py``, which
may change); they use these builders. Never change one: a migration that
needs a new type adds a new function here. The live schema takes its table
options from :func:`options` too, as every table is created with them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

__all__ = ["id_type", "key", "long_text", "options", "path", "reference", "when"]


def id_type() -> Any:
    """Return a 64-bit id (``INTEGER`` on SQLite, whose rowids are 64-bit)."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def key(length: int) -> Any:
    """Return a string of ``length`` characters compared byte by byte on every backend."""
    return (
        sa.String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(
            mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
        )
    )


def path() -> Any:
    """Return the 1024-byte ASCII materialized path, compared byte by byte."""
    return (
        sa.String(1024)
        .with_variant(postgresql.VARCHAR(1024, collation="C"), "postgresql")
        .with_variant(
            mysql.VARCHAR(1024, charset="ascii", collation="ascii_bin"), "mysql", "mariadb"
        )
    )


def long_text() -> Any:
    """Return the comment body type: ``TEXT``, ``MEDIUMTEXT`` on MariaDB."""
    return sa.Text().with_variant(
        mysql.MEDIUMTEXT(charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )


def when() -> Any:
    """Return a naive UTC timestamp with microseconds (``DATETIME(6)`` on MariaDB)."""
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def reference(name: str, target: str, constraint: str, **column: Any) -> sa.Column[Any]:
    """Return an id column ``name`` with a foreign key named ``constraint`` to ``target``."""
    return sa.Column(name, id_type(), sa.ForeignKey(target, name=constraint), **column)


def options(autoincrement: bool = True) -> dict[str, Any]:
    """Return the table options: InnoDB and utf8mb4 binary on MariaDB, AUTOINCREMENT ids."""
    found: dict[str, Any] = {
        "mysql_engine": "InnoDB",
        "mysql_charset": "utf8mb4",
        "mysql_collate": "utf8mb4_bin",
    }
    if autoincrement:
        found["sqlite_autoincrement"] = True
    return found
