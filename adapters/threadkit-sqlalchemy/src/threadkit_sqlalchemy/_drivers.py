"""Driver connections whose every wait on the server is bounded in time.

Neither driver gives up on a server that silently stops answering (packets
dropped, a dead load balancer): psycopg waits forever for a reply, PyMySQL for
its fixed ``read_timeout``. The classes here bound each wait by
:func:`~threadkit_sqlalchemy._deadline.seconds_left`, i.e. by what is left of
the store call, or by the engine's timeout outside a call. A connection that
timed out is closed, so SQLAlchemy discards it and the next call reconnects.

Each connect also checks the time left first: after a failed pre-ping there
may be none, and opening a new connection would only wait again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from ._deadline import seconds_left

__all__ = ["bounded_mysql_connect", "bounded_postgresql_connect"]

_log = logging.getLogger("threadkit_sqlalchemy")

_MIN_WAIT = 0.001
"""A wait of 0 means "no limit" to the drivers; an expired call waits this long."""

PSYCOPG_MIN_CONNECT_TIMEOUT = 2
"""psycopg (like libpq) rounds any connect timeout below 2 s up to 2 s."""


def _where(cparams: dict[str, Any]) -> str:
    return f"{cparams.get('host', 'localhost')}:{cparams.get('port', 'default port')}"


def _pg_where(connection: Any) -> str:
    try:
        return f"{connection.info.host}:{connection.info.port}"
    except Exception:  # only for a log line: a broken connection may not say
        return "(unknown address)"


def bounded_postgresql_connect(timeout: float) -> Callable[..., Any]:
    """Return a psycopg ``connect`` whose waits never outlast ``timeout`` or the call."""
    import psycopg
    from psycopg.pq import TransactionStatus

    ACTIVE = TransactionStatus.ACTIVE

    class BoundedConnection(psycopg.Connection[Any]):
        """A psycopg connection that closes itself when a reply is too slow."""

        limit = timeout

        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            bound = max(_MIN_WAIT, seconds_left(self.limit))
            if timeout is not None:
                bound = min(bound, timeout)
            try:
                return super().wait(gen, interval=interval, timeout=bound)
            except BaseException as error:
                timed_out = type(error).__name__ == "_WaitTimeout"
                if timed_out or self.pgconn.transaction_status == ACTIVE:
                    # A command is still in flight (its reply may yet come): nothing
                    # on this connection can be trusted, and the pool must not reuse it.
                    _log.warning(
                        "PostgreSQL at %s: %s; closing the connection",
                        _pg_where(self),
                        f"no answer within {bound:.1f} s" if timed_out else error,
                    )
                    self.close()
                if not timed_out:
                    raise
                raise psycopg.OperationalError(
                    f"the PostgreSQL server did not answer within {bound:.1f} s"
                    " (connection closed)"
                ) from error

    def connect(*cargs: Any, **cparams: Any) -> Any:
        left = seconds_left(timeout)
        if left <= 0:
            raise psycopg.OperationalError(
                f"no time left to connect to PostgreSQL at {_where(cparams)}:"
                " the call's timeout ran out"
            )
        cparams["connect_timeout"] = max(PSYCOPG_MIN_CONNECT_TIMEOUT, math.ceil(left))
        return BoundedConnection.connect(*cargs, **cparams)

    return connect


def _shrinking(slot: str, timeout: float) -> property:
    """Return a timeout property worth what is left of the call's time (kept in ``slot``).

    Setting it (PyMySQL does, once, in ``__init__``) caps it at ``timeout``.
    """

    def get(self: Any) -> float:
        return max(_MIN_WAIT, seconds_left(getattr(self, slot)))

    def put(self: Any, value: float | None) -> None:
        setattr(self, slot, timeout if value is None else min(value, timeout))

    return property(get, put)


def bounded_mysql_connect(timeout: float) -> Callable[..., Any]:
    """Return a PyMySQL ``connect`` whose waits never outlast ``timeout`` or the call."""
    import pymysql  # type: ignore[import-untyped]  # PyMySQL ships no type hints
    from pymysql.connections import Connection  # type: ignore[import-untyped]

    base: Any = Connection

    class BoundedConnection(base):  # type: ignore[misc]  # an untyped base class
        """A PyMySQL connection whose read and write timeouts shrink with the call's time."""

        # PyMySQL reads these two attributes before every socket read or write
        # (and sets them once in __init__); if a release renames them, the
        # fixed read_timeout/write_timeout given to connect still apply.
        _read_timeout = _shrinking("_tk_read", timeout)
        _write_timeout = _shrinking("_tk_write", timeout)

    def connect(*cargs: Any, **cparams: Any) -> Any:
        left = seconds_left(timeout)
        if left <= 0:
            raise pymysql.err.OperationalError(
                2003,
                f"no time left to connect to MariaDB/MySQL at {_where(cparams)}:"
                " the call's timeout ran out",
            )
        cparams["connect_timeout"] = max(_MIN_WAIT, left)
        return BoundedConnection(*cargs, **cparams)

    return connect
