r"""Schema upgrades with the Alembic migrations shipped in this package.

From a shell::

    threadkit-db upgrade --url sqlite:///comments.db
    threadkit-db current --url postgresql+psycopg://app@db/site
    threadkit-db upgrade --url mysql+pymysql://app@db/site --revision 0001_initial

or with Alembic itself and the shipped configuration::

    THREADKIT_DATABASE_URL=sqlite:///comments.db \\
        alembic -c "$(python -m threadkit_sqlalchemy.migrate ini)" upgrade head

From Python: :func:`upgrade` (or ``SqlCommentStore(url, upgrade=True)``).
Versions are recorded in the table ``threadkit_alembic_version``.
"""

from __future__ import annotations

import argparse
import functools
import sys
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from ._db import WRITE, DatabaseConfigurationError, create_engine
from ._schema import metadata

__all__ = [
    "ALEMBIC_INI",
    "VERSION_TABLE",
    "alembic_config",
    "check_schema",
    "current_revision",
    "head_revision",
    "main",
    "upgrade",
    "upgrade_engine",
]

VERSION_TABLE = "threadkit_alembic_version"
"""The table where Alembic records which threadkit migration a database is at."""

_LOCK_KEY = 0x7468726561646B  # "threadk": the advisory lock of threadkit's migrations

ALEMBIC_INI = str(Path(str(resources.files("threadkit_sqlalchemy"))) / "alembic.ini")
"""Path of the shipped ``alembic.ini`` (usable with ``alembic -c``)."""


def alembic_config() -> Config:
    """Return an Alembic config for threadkit's migrations.

    Put an open connection in ``config.attributes["connection"]`` to run
    commands on it (as :func:`upgrade_engine` does).
    """
    config = Config(ALEMBIC_INI)
    config.set_main_option("script_location", "threadkit_sqlalchemy:migrations")
    return config


@functools.cache
def head_revision() -> str:
    """Return the newest migration this release ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the migration the database at ``engine`` is at (``None``: empty)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database at ``engine`` to ``revision`` (default: this release's head).

    Safe to call from several processes at once (every web worker starting
    with ``upgrade=True``): a database-wide lock lets one upgrade run while
    the others wait, then find nothing left to do.
    """
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})  # SQLite: BEGIN IMMEDIATE
        name = conn.dialect.name
        mysql = name in ("mysql", "mariadb")
        if mysql:
            # A session lock, taken and released outside the upgrade's transaction: released
            # before its COMMIT, a waiting worker would read the revision the upgrade is
            # about to replace and run the last migration again ("table already exists").
            got = conn.execute(sa.text("SELECT GET_LOCK('threadkit_migrate', 120)")).scalar()
            conn.commit()
            if got != 1:
                raise DatabaseConfigurationError("another threadkit upgrade holds the lock")
        waited = _wait_longer_on_sqlite(conn) if name == "sqlite" else None
        try:
            with conn.begin():
                if name == "postgresql":
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY}
                    )
                config = alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
        finally:
            if waited is not None and not conn.invalidated:
                _set_busy_timeout(conn, waited)
            if mysql:
                _release_mysql_lock(conn)


UPGRADE_WAIT_MS = 120_000
"""How long an upgrade on SQLite waits for another worker's (as ``GET_LOCK`` on MariaDB)."""


def _wait_longer_on_sqlite(conn: sa.Connection) -> int:
    """Let this connection's ``BEGIN IMMEDIATE`` wait for other upgrades; return the old wait.

    Workers starting at once queue for the write lock, and on a busy machine
    the upgrade ahead of them can outlast the store's busy timeout (5 s): a
    worker would then fail to start with "database is locked".
    """
    driver = conn.connection.driver_connection
    assert driver is not None
    previous = int(driver.execute("PRAGMA busy_timeout").fetchone()[0])
    _set_busy_timeout(conn, UPGRADE_WAIT_MS)
    return previous


def _set_busy_timeout(conn: sa.Connection, milliseconds: int) -> None:
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA busy_timeout={int(milliseconds)}")


def _release_mysql_lock(conn: sa.Connection) -> None:
    """Release the upgrade's session lock (a lost connection took it with it)."""
    try:
        conn.execute(sa.text("SELECT RELEASE_LOCK('threadkit_migrate')"))
        conn.commit()
    except sa.exc.DBAPIError:
        # The session is gone, and its lock with it; the upgrade's own error says why.
        if not conn.invalidated:
            raise


def upgrade(url: str | sa.URL, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (default: this release's head)."""
    engine = create_engine(url)
    try:
        upgrade_engine(engine, revision)
    finally:
        engine.dispose()


def check_schema(engine: Engine) -> None:
    """Refuse a database whose schema is missing, older than this release, or mis-set.

    On MariaDB/MySQL every threadkit table and text column must be ``utf8mb4``
    (the path column is ASCII by design).
    """
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        raise DatabaseConfigurationError(
            f"the threadkit schema of {engine.url.render_as_string(hide_password=True)} is at"
            f" {current or 'nothing (empty database)'}, this release needs {head}:"
            " run `threadkit-db upgrade --url URL` (or SqlCommentStore(url, upgrade=True))"
        )
    if engine.dialect.name in ("mysql", "mariadb"):
        _check_mysql_charsets(engine)


def _check_mysql_charsets(engine: Engine) -> None:
    names = sorted(metadata.tables)
    with engine.connect() as conn:
        tables = conn.execute(
            sa.text(
                "SELECT table_name, table_collation FROM information_schema.tables"
                " WHERE table_schema = DATABASE() AND table_name IN :names"
            ).bindparams(sa.bindparam("names", expanding=True)),
            {"names": names},
        ).all()
        columns = conn.execute(
            sa.text(
                "SELECT table_name, column_name, character_set_name"
                " FROM information_schema.columns"
                " WHERE table_schema = DATABASE() AND table_name IN :names"
                " AND character_set_name IS NOT NULL"
            ).bindparams(sa.bindparam("names", expanding=True)),
            {"names": names},
        ).all()
    bad = [f"table {t} ({c})" for t, c in tables if not str(c).startswith("utf8mb4")]
    bad += [
        f"column {t}.{name} ({charset})"
        for t, name, charset in columns
        if charset != "utf8mb4" and not (name == "path" and charset == "ascii")
    ]
    if bad:
        raise DatabaseConfigurationError(
            "threadkit needs utf8mb4 on MariaDB/MySQL; these are not: " + ", ".join(bad)
        )


def main(argv: list[str] | None = None) -> int:
    """Run the ``threadkit-db`` command line."""
    parser = argparse.ArgumentParser(
        prog="threadkit-db", description="Create or upgrade threadkit's tables."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upgrade", help="upgrade the schema (default: to head)")
    up.add_argument("--url", required=True, help="SQLAlchemy database URL")
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    cur = commands.add_parser("current", help="show the schema revision of a database")
    cur.add_argument("--url", required=True, help="SQLAlchemy database URL")
    commands.add_parser("heads", help="show this release's newest revision")
    commands.add_parser("ini", help="print the path of the shipped alembic.ini")
    args = parser.parse_args(argv)
    if args.command == "ini":
        print(ALEMBIC_INI)
        return 0
    if args.command == "heads":
        print(head_revision())
        return 0
    if args.command == "upgrade":
        upgrade(args.url, args.revision)
        print(f"threadkit schema upgraded to {args.revision}")
        return 0
    engine = create_engine(args.url)
    try:
        print(current_revision(engine) or "(empty)")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
