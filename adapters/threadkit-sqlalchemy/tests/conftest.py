"""Backends for the SQL store's tests: SQLite always, PostgreSQL and MariaDB when reachable.

Server URLs come from ``THREADKIT_TEST_POSTGRES_URL`` and
``THREADKIT_TEST_MARIADB_URL`` (defaults: the local servers, database
``test``). Each test run creates its own randomly named database on each
server, upgrades it with the shipped migrations, and drops it at the end;
between tests the tables are emptied. A server that cannot be reached skips
its tests with the reason, except under ``CI=true``, where it fails the run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from backend_capabilities import CAPABILITIES
from netproxy import TcpProxy
from sqlalchemy.engine import Engine
from sqlstore_backends import BACKENDS, Databases, Server, empty_tables, server
from threadkit_sqlalchemy import SqlCommentStore, create_engine


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``backends`` and ``capability`` markers."""
    config.addinivalue_line(
        "markers", "backends(*names): about these backends only (others deselect it)"
    )
    config.addinivalue_line(
        "markers",
        "capability(*names): needs these store capabilities (backends without deselect it)",
    )


def _concerns(item: pytest.Item, backend: str) -> bool:
    """Whether ``item`` is about ``backend``: named by ``backends``, able per ``capability``."""
    named = item.get_closest_marker("backends")
    if named is not None and backend not in named.args:
        return False
    needed = {name for mark in item.iter_markers("capability") for name in mark.args}
    return needed <= CAPABILITIES[backend]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect tests marked ``backends(...)`` or ``capability(...)`` where they do not apply."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = None if callspec is None else callspec.params.get("databases")
        if backend is not None and not _concerns(item, backend):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def servers() -> Iterator[dict[str, Server]]:
    """The reachable servers (created lazily by :func:`server`), disposed at the end."""
    made: dict[str, Server] = {}
    yield made
    for each in made.values():
        each.admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def databases(
    request: pytest.FixtureRequest,
    servers: dict[str, Server],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Databases]:
    """Per backend: the factory of fresh databases, cleaned up after the run."""
    backend: str = request.param
    if backend != "sqlite":
        server(servers, backend)
    made = Databases(backend, servers, tmp_path_factory.mktemp(backend))
    yield made
    made.cleanup()


@pytest.fixture(scope="session")
def shared_url(databases: Databases) -> sa.URL:
    """One migrated database per backend, shared by the tests that empty it first."""
    return databases.migrated()


@pytest.fixture(scope="session")
def shared_engine(shared_url: sa.URL) -> Iterator[Engine]:
    """An engine on the shared database."""
    engine = create_engine(shared_url)
    yield engine
    engine.dispose()


@pytest.fixture
def proxy(shared_url: sa.URL) -> Iterator[TcpProxy]:
    """A TCP proxy to the backend's shared test database, which a test can cut."""
    assert shared_url.host is not None
    assert shared_url.port is not None
    with TcpProxy(shared_url.host, shared_url.port) as made:
        yield made


@pytest.fixture
def backend(databases: Databases) -> str:
    """The name of the backend under test: sqlite, postgresql or mariadb."""
    return databases.backend


@pytest.fixture
def sql_store(shared_engine: Engine) -> Iterator[SqlCommentStore]:
    """A store on the backend's shared database, emptied before the test."""
    empty_tables(shared_engine)
    store = SqlCommentStore(shared_engine)
    yield store
    store.close()
