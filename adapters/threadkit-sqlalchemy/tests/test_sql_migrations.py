"""The shipped Alembic migrations: upgrade from empty, keep data, match the live schema."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlstore_backends import Databases, start_at_once
from threadkit_sqlalchemy import DatabaseConfigurationError, SqlCommentStore, create_engine
from threadkit_sqlalchemy._schema import metadata
from threadkit_sqlalchemy.migrate import (
    ALEMBIC_INI,
    VERSION_TABLE,
    current_revision,
    head_revision,
    main,
)

from threadkit.models import Identity, NewComment, Status
from threadkit.testing.store_kit import T0


def _url(url: sa.URL) -> str:
    return url.render_as_string(hide_password=False)


def test_a_store_refuses_an_empty_database_and_says_how_to_upgrade(databases: Databases) -> None:
    """Without upgrade=True, a database with no schema stops the store with the command to run."""
    url = databases.empty()
    with pytest.raises(DatabaseConfigurationError, match="threadkit-db upgrade"):
        SqlCommentStore(url)


def test_threadkit_db_upgrade_brings_an_empty_database_to_head(
    databases: Databases, capsys: pytest.CaptureFixture[str]
) -> None:
    """`threadkit-db upgrade --url URL` creates the schema; `current` then reports head."""
    url = databases.empty()
    assert 0 == main(["upgrade", "--url", _url(url)])
    capsys.readouterr()
    assert 0 == main(["current", "--url", _url(url)])
    assert head_revision() == capsys.readouterr().out.strip()
    store = SqlCommentStore(url)
    assert None is store.get_thread("t1")
    store.close()


def test_upgrading_again_keeps_the_data(databases: Databases) -> None:
    """Running the upgrade on a database already at head changes nothing and loses nothing."""
    url = databases.migrated()
    store = SqlCommentStore(url)
    store.ensure_thread("t1", now=T0)
    draft = NewComment(
        "t1", None, Identity("a", "b", "C"), "kept", "<p>kept</p>", Status.APPROVED, T0
    )
    comment = store.add_comment(draft)
    store.close()
    again = SqlCommentStore(url, upgrade=True)
    assert comment == again.get_comment(comment.id)
    again.close()


def test_workers_upgrading_at_once_all_start(databases: Databases) -> None:
    """Four workers starting with upgrade=True on one empty database all succeed, once."""
    url = databases.empty()
    errors = start_at_once(url, 4)
    engine = create_engine(url)
    assert ([], head_revision()) == (errors, current_revision(engine))
    engine.dispose()


def test_the_migrated_schema_matches_the_tables_the_queries_use(databases: Databases) -> None:
    """Alembic's autogenerate finds no difference between the migrations and ``_schema``."""
    url = databases.migrated()
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"version_table": VERSION_TABLE, "compare_type": False}
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert [] == diff


def test_downgrade_to_base_and_back_to_head(databases: Databases) -> None:
    """The first migration can be undone and redone on every backend."""
    url = databases.migrated()
    assert 0 == main(["upgrade", "--url", _url(url), "--revision", head_revision()])
    from alembic import command
    from threadkit_sqlalchemy.migrate import alembic_config

    engine = create_engine(url)
    with engine.connect() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
        conn.commit()
    assert None is current_revision(engine)
    assert [] == [t for t in sa.inspect(engine).get_table_names() if t.startswith("tk_")]
    engine.dispose()
    assert 0 == main(["upgrade", "--url", _url(url)])
    SqlCommentStore(url).close()


@pytest.mark.backends("sqlite")  # one backend proves the shipped config
def test_plain_alembic_with_the_shipped_ini_upgrades_to_head(
    databases: Databases, backend: str
) -> None:
    """`alembic -c <shipped alembic.ini> upgrade head` works with THREADKIT_DATABASE_URL set."""
    url = databases.empty()
    environment = {**os.environ, "THREADKIT_DATABASE_URL": _url(url)}
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", ALEMBIC_INI, "upgrade", "head"],
        check=True,
        env=environment,
        capture_output=True,
    )
    engine = create_engine(url)
    assert head_revision() == current_revision(engine)
    engine.dispose()
