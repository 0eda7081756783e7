"""Alembic environment for threadkit's tables.

The store and the ``threadkit-db`` command pass an open connection in
``config.attributes["connection"]``; ``alembic -c .../alembic.ini upgrade head``
reads ``sqlalchemy.url`` (or the ``THREADKIT_DATABASE_URL`` environment variable).
Versions are recorded in ``threadkit_alembic_version`` so a host application's
own Alembic history in the same database is left alone.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from threadkit_sqlalchemy._db import create_engine
from threadkit_sqlalchemy._schema import metadata

VERSION_TABLE = "threadkit_alembic_version"

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new one to the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = os.environ.get("THREADKIT_DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("no database URL: set sqlalchemy.url or THREADKIT_DATABASE_URL")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("threadkit migrations run online only (they need a live connection)")
run_migrations_online()
