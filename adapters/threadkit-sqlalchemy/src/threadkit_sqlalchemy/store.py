"""``SqlCommentStore``: threadkit's :class:`~threadkit.ports.CommentStore` on SQL.

Works on SQLite (the embedded default), PostgreSQL (psycopg 3) and
MariaDB/MySQL (PyMySQL), with SQLAlchemy 2 Core on every path (no ORM).

How a page stays cheap whatever the thread's size: every comment row carries
its thread, true parent, root (top-level ancestor), true depth, and a
byte-order sortable materialized path (see :mod:`threadkit_sqlalchemy._paths`)
whose first segment is the top-level comment's ordinal in its thread. A page
is then

1. a keyset scan of the ``(thread_id, depth, top_ord)`` index (oldest,
   newest) or ``(thread_id, depth, neg_score, id)`` (top) for the next
   ``top_limit`` visible top-level comments, and
2. a range scan of the ``(thread_id, path)`` index for their descendants,
   capped at ``total_limit`` rows (one query for oldest-first; one small
   query per top-level comment for the other orders).

Both cost what the page costs. ``subtree`` is one range scan of the same index.

Paths have a maximum length, so the *storage* depth is capped
(``storage_depth_cap``, 100 by default): a reply to a comment stored at the
cap is stored beside it, under the deepest allowed ancestor, while its
``parent_id`` and ``depth`` keep the true values. Such flattened runs are put
back into depth-first order when they are read.
"""

from __future__ import annotations

from ._bans import BansPart
from ._base import DEFAULT_MAX_BODY_BYTES
from ._bulk import BulkPart, LoadRow
from ._db import DatabaseConfigurationError
from ._history import HistoryPart
from ._listing import ListingPart
from ._outbox import OutboxPart
from ._paging import PagingPart
from ._site import SitePart
from ._subscriptions import SubscriptionsPart
from ._threads import ThreadsPart
from ._votes import VotesPart
from ._writes import WritesPart

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DatabaseConfigurationError", "LoadRow", "SqlCommentStore"]


class SqlCommentStore(
    WritesPart,
    PagingPart,
    ListingPart,
    HistoryPart,
    VotesPart,
    OutboxPart,
    SitePart,
    BulkPart,
    ThreadsPart,
    BansPart,
    SubscriptionsPart,
):
    """A :class:`~threadkit.ports.CommentStore` on SQLite, PostgreSQL or MariaDB/MySQL.

    ``url`` is a SQLAlchemy URL (``sqlite:///comments.db``,
    ``postgresql+psycopg://user@host/db``, ``mysql+pymysql://user@host/db``) or
    an :class:`~sqlalchemy.engine.Engine` made by
    :func:`threadkit_sqlalchemy.create_engine`. With ``upgrade=True`` the
    schema is brought to this release's head on start; otherwise a schema
    that is missing or older raises :class:`DatabaseConfigurationError`
    (run ``threadkit-db upgrade --url URL``). An unreachable database raises
    :class:`~threadkit.errors.StorageUnavailableError`, on start and on every
    call.

    ``max_body_bytes`` limits a comment's source text (UTF-8 bytes; a longer
    one is refused with ``ValidationError(field="body")`` before the database
    sees it). ``timeout`` (seconds, default 10) bounds each call: every wait
    inside it (a pooled connection, a new connection, each reply, SQLite's
    lock) shares that time, and a database that is down, refuses or stops
    answering raises ``StorageUnavailableError`` within it, with a message
    that names no host or driver (the driver's error is logged on the
    ``threadkit_sqlalchemy`` logger). ``connect_timeout`` and
    ``statement_timeout`` (seconds, at most ``timeout``) narrow the connect
    and the server-side statement limit. ``storage_depth_cap`` is the
    deepest storage level (at least 100 in production; smaller values exist
    for tests). SQLite only: ``synchronous`` (``FULL`` by default) and
    ``busy_timeout_ms`` (5000, or ``timeout`` if shorter).
    """
