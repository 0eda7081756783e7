"""Helpers shared by the SQL store's tests: servers, throwaway databases, cleanup.

See ``conftest.py`` for how they become fixtures.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from threadkit_sqlalchemy import SqlCommentStore, create_engine, upgrade

from threadkit.testing.servers import unreachable

POSTGRES_URL = os.environ.get(
    "THREADKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get(
    "THREADKIT_TEST_MARIADB_URL", "mysql+pymysql://root:@127.0.0.1:3306/test"
)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]

TABLES = [
    "tk_votes",
    "tk_outbox",
    "tk_idempotency",
    "tk_guard_locks",
    "tk_comments",
    "tk_threads",
    "tk_bans",
    "tk_site_settings",
    "tk_subscriptions",
]


def _unreachable(name: str, url: str, error: Exception) -> None:
    unreachable(
        f"{name} server not reachable at {sa.make_url(url).render_as_string(hide_password=True)}"
        f" ({type(error).__name__}: {str(error).splitlines()[0]}); set the URL environment"
        " variable to test against it"
    )


class Server:
    """A database server on which tests create throwaway databases."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = sa.make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def create(self) -> sa.URL:
        """Create a randomly named, empty database and return its URL."""
        database = "tk_test_" + secrets.token_hex(6)
        with self.admin.connect() as conn:
            if self.name == "postgresql":
                conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
            else:
                conn.exec_driver_sql(
                    f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )
        return self.url.set(database=database)

    def drop(self, url: sa.URL) -> None:
        """Drop a database made by :meth:`create`, even if connections are still open."""
        with self.admin.connect() as conn:
            if self.name == "postgresql":
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{url.database}`")


def server(servers: dict[str, Server], backend: str) -> Server:
    """Return the server for ``backend``, skipping (or failing under CI) if it is down."""
    if backend not in servers:
        url = POSTGRES_URL if backend == "postgresql" else MARIADB_URL
        candidate = Server(backend, url)
        try:
            with candidate.admin.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except sa.exc.DBAPIError as error:
            candidate.admin.dispose()
            _unreachable(backend, url, error)
        servers[backend] = candidate
    return servers[backend]


class Databases:
    """Makes fresh, migrated databases of one backend for tests and cleans them up."""

    def __init__(self, backend: str, servers: dict[str, Server], tmp: Path) -> None:
        self.backend = backend
        self.servers = servers
        self.tmp = tmp
        self.made: list[sa.URL] = []
        self._template: Path | None = None

    def empty(self) -> sa.URL:
        """A new database with no tables at all."""
        if self.backend == "sqlite":
            path = self.tmp / f"{secrets.token_hex(6)}.db"
            url = sa.make_url(f"sqlite:///{path}")
        else:
            url = server(self.servers, self.backend).create()
        self.made.append(url)
        return url

    def migrated(self) -> sa.URL:
        """A new database upgraded to head with the shipped migrations."""
        if self.backend == "sqlite":
            if self._template is None:
                template = self.empty()
                upgrade(template)
                assert template.database is not None
                self._template = Path(template.database)
            path = self.tmp / f"{secrets.token_hex(6)}.db"
            shutil.copyfile(self._template, path)
            return sa.make_url(f"sqlite:///{path}")
        url = self.empty()
        upgrade(url)
        return url

    def cleanup(self) -> None:
        """Drop every server database made (SQLite files go with the temp dir)."""
        if self.backend != "sqlite":
            for url in self.made:
                self.servers[self.backend].drop(url)


def empty_tables(engine: Engine) -> None:
    """Delete every row of threadkit's tables (ids keep growing across tests)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in TABLES:
                conn.exec_driver_sql(f"DELETE FROM {table}")
        elif engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            for table in TABLES:
                conn.exec_driver_sql(f"DELETE FROM {table}")
        else:
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            for table in TABLES:
                conn.exec_driver_sql(f"DELETE FROM {table}")
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")


def start_at_once(url: sa.URL, workers: int) -> list[BaseException]:
    """Start ``workers`` stores with ``upgrade=True`` on ``url`` at once; return their errors."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def start() -> None:
        try:
            barrier.wait()
            SqlCommentStore(url, upgrade=True).close()
        except BaseException as error:  # handed to the calling thread
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
