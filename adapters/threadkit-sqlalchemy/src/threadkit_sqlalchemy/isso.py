"""Read an Isso SQLite database (read-only) for ``threadkit.importers.isso``.

The core reads no database (``sqlite3`` is on its forbidden list), so the
reader lives here, with the SQL store; ``threadkit-import isso comments.db``
finds it through the ``threadkit.readers`` entry point this package declares.

>>> try:
...     read_isso("missing.db")
... except ImportFormatError as error:
...     print(error.code, error.message)
wrong_format missing.db: no such file
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from threadkit.importers import ImportFormatError
from threadkit.importers.isso import IssoCommentRow, IssoDump, IssoThreadRow

__all__ = ["read_isso"]

_THREAD_COLUMNS = ("id", "uri", "title")
_COMMENT_COLUMNS = (
    "tid",
    "id",
    "parent",
    "created",
    "mode",
    "text",
    "author",
    "email",
    "website",
    "remote_addr",
    "modified",
    "likes",
    "dislikes",
    "notification",
)


def read_isso(path: str | os.PathLike[str]) -> IssoDump:
    """Return every thread and comment of the Isso database at ``path``, opened read-only.

    Raises :class:`~threadkit.importers.ImportFormatError` (``wrong_format``)
    for a missing file, a file that is not SQLite, or a database without
    Isso's ``threads`` and ``comments`` tables.
    """
    file = Path(path)
    if not file.is_file():
        raise ImportFormatError("wrong_format", f"{path}: no such file")
    url = f"sqlite:///file:{quote(str(file.resolve()))}?mode=ro&uri=true"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            if not {"threads", "comments"} <= tables:
                raise ImportFormatError(
                    "wrong_format",
                    f"{path}: not an Isso database (no threads and comments tables)",
                )
            threads = connection.execute(
                sa.text(f"SELECT {', '.join(_THREAD_COLUMNS)} FROM threads ORDER BY id")
            ).all()
            comments = connection.execute(
                sa.text(f"SELECT {', '.join(_COMMENT_COLUMNS)} FROM comments ORDER BY id")
            ).all()
    except sa.exc.DatabaseError as error:
        raise ImportFormatError(
            "wrong_format", f"{path}: not an Isso database ({error.orig})"
        ) from None
    finally:
        engine.dispose()
    return IssoDump(
        threads=tuple(IssoThreadRow(int(r.id), str(r.uri), r.title) for r in threads),
        comments=tuple(
            IssoCommentRow(
                tid=int(r.tid),
                id=int(r.id),
                parent=None if r.parent is None else int(r.parent),
                created=float(r.created),
                mode=int(r.mode if r.mode is not None else 1),
                text=r.text or "",
                author=r.author,
                email=r.email,
                website=r.website,
                remote_addr=r.remote_addr,
                modified=None if r.modified is None else float(r.modified),
                likes=int(r.likes or 0),
                dislikes=int(r.dislikes or 0),
                notification=int(r.notification or 0),
            )
            for r in comments
        ),
    )
