"""Site export round trip across backends: SQLite -> PostgreSQL -> MariaDB, byte for byte."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlstore_backends import Databases, Server
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.exporters import dump_site, load_site
from threadkit.testing.site_sample import fill_sample_site


@pytest.fixture
def stores(servers: dict[str, Server], tmp_path: Path) -> Iterator[dict[str, SqlCommentStore]]:
    """One empty, migrated store on each backend (throwaway databases)."""
    made: dict[str, SqlCommentStore] = {}
    dbs = [Databases(name, servers, tmp_path) for name in ("sqlite", "postgresql", "mariadb")]
    try:
        for db in dbs:
            made[db.backend] = SqlCommentStore(db.migrated())
        yield made
    finally:
        for store in made.values():
            store.close()
        for db in dbs:
            db.cleanup()


def _export(store: SqlCommentStore) -> str:
    out = io.StringIO()
    dump_site(store, out, batch_size=7)
    return out.getvalue()


@pytest.mark.postgres
@pytest.mark.mariadb
def test_export_is_byte_identical_after_sqlite_postgresql_mariadb(
    stores: dict[str, SqlCommentStore],
) -> None:
    """Export from SQLite, import into PostgreSQL, export, import into MariaDB: same bytes."""
    fill_sample_site(stores["sqlite"], generated=400)
    first = _export(stores["sqlite"])
    load_site(stores["postgresql"], io.StringIO(first), batch_size=7)
    second = _export(stores["postgresql"])
    assert first == second
    load_site(stores["mariadb"], io.StringIO(second), batch_size=7)
    assert first == _export(stores["mariadb"])
    assert 4 == sum(1 for line in first.splitlines() if line.startswith('{"type":"vote"'))
