"""Steps the migration tests share: upgrade to a revision, and put a thread in an old schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from threadkit_sqlalchemy import create_engine
from threadkit_sqlalchemy.migrate import alembic_config, current_revision, main

#: ``tk_threads`` as every revision since 0001 has it (no ``version``: that came in 0003).
OLD_THREADS = sa.table(
    "tk_threads",
    *(sa.column(name) for name in ("key", "title", "url", "closed", "created_at")),
    *(sa.column(name) for name in ("comment_count", "top_level_count", "top_seq")),
)


def url_text(url: sa.URL) -> str:
    """Return ``url`` as the command line takes it, password included."""
    return url.render_as_string(hide_password=False)


def upgrade(url: sa.URL, revision: str) -> None:
    """Run ``threadkit-db upgrade --revision <revision>`` and check it succeeds."""
    assert 0 == main(["upgrade", "--url", url_text(url), "--revision", revision])


def insert_old_thread(engine: Engine, comments: int = 0, top_level: int = 0) -> None:
    """Insert thread ``old`` titled ``Kept`` through the columns the old schema has."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(OLD_THREADS).values(
                key="old",
                title="Kept",
                url="",
                closed=False,
                created_at=sa.func.current_timestamp(),
                comment_count=comments,
                top_level_count=top_level,
                top_seq=top_level,
            )
        )


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the database at ``engine`` to ``revision`` with Alembic."""
    with engine.connect() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
        conn.commit()


def old_title(engine: Engine) -> str | None:
    """Return the title of thread ``old`` (:func:`insert_old_thread`), read through old columns."""
    with engine.connect() as conn:
        old = OLD_THREADS.c
        title: str | None = conn.execute(sa.select(old.title).where(old.key == "old")).scalar()
        return title


def downgrade_and_look(engine: Engine, revision: str) -> tuple[str | None, set[str], str | None]:
    """Downgrade to ``revision``; return what is left: revision, tables, thread ``old``'s title.

    The engine is disposed afterwards, so a test can assert after the database is let go.
    """
    downgrade(engine, revision)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        return current_revision(engine), tables, old_title(engine)
    finally:
        engine.dispose()


def crossed(url: sa.URL, before: str, after: str) -> Engine:
    """Upgrade an empty database to ``before``, add thread ``old``, upgrade to ``after``.

    Returns an engine on it: the data written under the old schema must have come across.
    """
    upgrade(url, before)
    engine = create_engine(url)
    insert_old_thread(engine)
    upgrade(url, after)
    return engine
