"""Throwaway SQL databases for the browser tests: SQLite always, PostgreSQL when reachable.

The PostgreSQL URL comes from ``THREADKIT_TEST_POSTGRES_URL`` (default: the
local server, database ``test``); each use creates a randomly named database
and drops it after. An unreachable server skips with the reason, except under
``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from threadkit.testing.servers import unreachable

POSTGRES_URL = os.environ.get(
    "THREADKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database on ``backend`` (``sqlite`` or ``postgresql``)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'comments.db'}"
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = "tk_django_" + secrets.token_hex(6)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        unreachable(f"PostgreSQL not reachable at {POSTGRES_URL} ({str(error).splitlines()[0]})")
    try:
        yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
