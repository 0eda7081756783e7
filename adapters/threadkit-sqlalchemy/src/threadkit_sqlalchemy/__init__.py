"""threadkit's SQL comment store: SQLite, PostgreSQL and MariaDB/MySQL.

>>> from threadkit_sqlalchemy import SqlCommentStore
>>> store = SqlCommentStore("sqlite://", upgrade=True)  # in memory, for a quick try
>>> store.get_thread("post-1") is None
True

See :class:`SqlCommentStore` and ``docs/sqlalchemy.md``.
"""

from ._db import DatabaseConfigurationError, create_engine
from .migrate import upgrade
from .store import DEFAULT_MAX_BODY_BYTES, LoadRow, SqlCommentStore

__all__ = [
    "SqlCommentStore",
    "DatabaseConfigurationError",
    "LoadRow",
    "DEFAULT_MAX_BODY_BYTES",
    "create_engine",
    "upgrade",
]
