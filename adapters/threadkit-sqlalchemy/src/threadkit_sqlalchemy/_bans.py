"""The moderation admin's records: bans, comment search across threads, site settings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from threadkit.bans import Ban, BanKind, CommentSearch
from threadkit.errors import NotFoundError, ValidationError
from threadkit.models import CommentRows
from threadkit.storekit import aware, check_limit, int_cursor, make_cursor

from ._base import StoreBase
from ._fast import Prepared, utc
from ._rows import _C, _T, _comment
from ._schema import AUTHOR_KEY_LENGTH, KEY_LENGTH, TEXT_BYTES, bans, site_settings

_B = bans.c
_S = site_settings.c


# Built once: the ban check asks on every post (issue 12).
_IN_FORCE = Prepared(
    sa.select(bans)
    .where(sa.or_(_B.until.is_(None), _B.until > sa.bindparam("b_now")))
    .order_by(_B.id.desc())
)
# Changes whenever a ban is added (a new, higher id) or lifted (one fewer row); ids
# are never reused (SQLite AUTOINCREMENT, PostgreSQL sequences, MariaDB >= 10.2.4).
_STAMP = Prepared(sa.select(sa.func.count(), sa.func.max(_B.id)).select_from(bans))


def _ban(row: Any) -> Ban:
    # Positional, in Ban's field order: kind, value, created_at, until, shadow, reason, by, id.
    until = None if row.until is None else utc(row.until)
    return Ban(
        BanKind(row.kind), row.value, utc(row.created_at), until, bool(row.shadow),
        row.reason, row.created_by, int(row.id),
    )  # fmt: skip


def _fits(value: str, field: str, limit: int, *, chars: bool = False) -> None:
    size = len(value) if chars else len(value.encode("utf-8"))
    if size > limit:
        raise ValidationError("too_long", f"{field} is too long to store.", field=field)


class BansPart(StoreBase):
    """The :class:`~threadkit.ports.AdminStore` methods."""

    # (stamp, as of, the bans in force then): what active_bans last read, in any thread.
    _bans_seen: tuple[tuple[Any, ...], datetime, list[Ban]] | None = None

    def add_ban(self, ban: Ban) -> Ban:
        """Store ``ban``; return it with its new ``id``."""
        created = aware(ban.created_at, "created_at")
        until = None if ban.until is None else aware(ban.until, "until")
        _fits(ban.value, "value", AUTHOR_KEY_LENGTH, chars=True)
        _fits(ban.reason, "reason", TEXT_BYTES)
        _fits(ban.created_by, "created_by", TEXT_BYTES)
        values = {
            "kind": ban.kind.value,
            "value": ban.value,
            "created_at": created,
            "until": until,
            "shadow": ban.shadow,
            "reason": ban.reason,
            "created_by": ban.created_by,
        }

        def work(conn: Connection) -> Ban:
            key = conn.execute(sa.insert(bans).values(**values)).inserted_primary_key
            assert key is not None  # every backend reports an autoincrement id
            return Ban(
                ban.kind,
                ban.value,
                created,
                until,
                ban.shadow,
                ban.reason,
                ban.created_by,
                id=int(key[0]),
            )

        return self._write(work)

    def lift_ban(self, ban_id: int) -> None:
        """Remove a ban for good; raise ``NotFoundError`` if there is none with this id."""

        def work(conn: Connection) -> None:
            if conn.execute(sa.delete(bans).where(_B.id == ban_id)).rowcount == 0:
                raise NotFoundError("not_found", f"There is no ban {ban_id}.")

        self._write(work)

    def active_bans(self, now: datetime) -> list[Ban]:
        """Every ban in force at ``now``, newest first.

        Asked before every post, so the list is kept between calls: each call
        reads only the table's stamp (row count and highest id) and reads the
        list again when the stamp moved, in any process. The stamp is read
        first: a ban added or lifted while the list is read moves it again, so
        the next call reads again. Bans that expire drop out by ``now``.
        """
        moment = aware(now, "now")

        def work(conn: Connection) -> list[Ban]:
            stamp = tuple(_STAMP.first(conn, {}))
            seen = self._bans_seen
            if seen is not None and seen[0] == stamp and seen[1] <= moment:
                return [ban for ban in seen[2] if ban.until is None or ban.until > moment]
            listed = [_ban(row) for row in _IN_FORCE.rows(conn, {"b_now": moment})]
            self._bans_seen = (stamp, moment, listed)
            return list(listed)

        return self._read(work)

    def search_comments(
        self, search: CommentSearch, *, limit: int, cursor: str | None = None
    ) -> CommentRows:
        """Comments ``search`` matches, in any thread, newest first; ``next_cursor`` continues."""
        check_limit(limit, "limit")
        query = self._select_comments().where(
            _C.status.in_([status.value for status in search.wanted_statuses()])
        )
        if cursor is not None:
            query = query.where(_C.id < int_cursor(cursor, "s", 1)[0])
        if search.name:
            name = search.name.lower()
            query = query.where(sa.func.lower(_C.author_name).contains(name, autoescape=True))
        if search.email:
            query = query.where(sa.func.lower(_C.author_email) == search.email.strip().lower())
        if search.ip:
            query = query.where(_C.ctx_ip.startswith(search.ip.strip(), autoescape=True))
        if search.thread_prefix:
            query = query.where(_T.key.startswith(search.thread_prefix, autoescape=True))
        query = query.order_by(_C.id.desc()).limit(limit + 1)

        def work(conn: Connection) -> CommentRows:
            block = [_comment(row, row[-1]) for row in conn.execute(query)]
            if len(block) <= limit:
                return CommentRows(block)
            del block[limit:]
            return CommentRows(block, make_cursor("s", block[-1].id))

        return self._read(work)

    def site_settings(self, site: str) -> dict[str, str]:
        """Return the settings last saved for ``site``, or ``{}``."""
        query = sa.select(_S.settings).where(_S.site == site)
        text = self._read(lambda conn: conn.execute(query).scalar())
        loaded = {} if text is None else json.loads(text)
        return {str(key): str(value) for key, value in loaded.items()}

    def save_site_settings(self, site: str, settings: Mapping[str, str]) -> None:
        """Replace the settings of ``site`` with ``settings``."""
        _fits(site, "site", KEY_LENGTH, chars=True)
        text = json.dumps(dict(settings), ensure_ascii=False, sort_keys=True)
        _fits(text, "settings", TEXT_BYTES)

        def work(conn: Connection) -> None:
            conn.execute(sa.delete(site_settings).where(_S.site == site))
            conn.execute(sa.insert(site_settings).values(site=site, settings=text))

        self._write(work)
