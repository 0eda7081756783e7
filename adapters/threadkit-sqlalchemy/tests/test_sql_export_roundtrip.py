"""Site export round trip across backends: SQLite -> PostgreSQL -> MariaDB, byte for byte."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlstore_backends import Databases, Server
from threadkit_sqlalchemy import SqlCommentStore

from threadkit.exporters import dump_site, load_site
from threadkit.testing.generate import generate_thread
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
    assert 2 == sum(1 for line in first.splitlines() if line.startswith('{"type":"ban"'))


def _site(store: SqlCommentStore, threads: int, per_thread: int = 500) -> None:
    """``threads`` generated threads of ``per_thread`` comments each."""
    for index in range(threads):
        store.bulk_load(f"t{index:04d}", generate_thread(per_thread, seed=index))


def _peaks(tmp_path: Path, name: str, store: SqlCommentStore) -> tuple[int, int]:
    """Peak traced memory while exporting ``store`` to a file and importing it back."""
    path = tmp_path / f"{name}.jsonl"
    tracemalloc.start()
    with path.open("w", encoding="utf-8") as out:
        dump_site(store, out, batch_size=500)
    exported = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    target = SqlCommentStore(f"sqlite:///{tmp_path / (name + '-copy.db')}", upgrade=True)
    try:
        tracemalloc.start()
        with path.open(encoding="utf-8") as lines:
            load_site(target, lines, batch_size=500)
        imported = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        target.close()
    return exported, imported


def test_export_and_import_memory_does_not_grow_with_the_site(tmp_path: Path) -> None:
    """Peak memory for a 20k-comment site is within 1.5x of a 5k one (threads of 500)."""
    small = SqlCommentStore(f"sqlite:///{tmp_path / 'small.db'}", upgrade=True)
    large = SqlCommentStore(f"sqlite:///{tmp_path / 'large.db'}", upgrade=True)
    try:
        _site(small, 10)
        _site(large, 40)
        small_export, small_import = _peaks(tmp_path, "small", small)
        large_export, large_import = _peaks(tmp_path, "large", large)
    finally:
        small.close()
        large.close()
    assert large_export < 1.5 * small_export, (small_export, large_export)
    assert large_import < 1.5 * small_import, (small_import, large_import)
