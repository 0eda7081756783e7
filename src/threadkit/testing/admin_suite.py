"""The :class:`~threadkit.ports.AdminStore` contract: bans, comment search, site settings.

Part of :class:`~threadkit.testing.store_suite.CommentStoreSuite`; uses its
``store``, ``store_kit`` and ``store_clock`` fixtures. Pins what the moderation
admin and :class:`~threadkit.moderation.BanCheck` rely on: bans keep every
field and get ids, timed bans end, lifted bans go; searches by name, email
and IP match the same rows in every store, newest first, paged by keyset
cursors without loss or repeat; site settings are replaced whole.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from threadkit.bans import Ban, BanKind, CommentSearch
from threadkit.clock import ManualClock
from threadkit.errors import NotFoundError, ValidationError
from threadkit.models import Identity, Status
from threadkit.ports import AdminStore
from threadkit.testing.store_kit import ADA, BOB, CY, Kit

__all__ = ["AdminStoreSuite"]

_DORA = Identity("anonymous", "dora-browser", "Dorothea Smith", email="Dora@Example.org")


def _admin(store: object) -> AdminStore:
    assert isinstance(store, AdminStore), "the store does not implement AdminStore"
    return store


class AdminStoreSuite:
    """Tests of ``add_ban``, ``active_bans``, ``lift_ban``, ``search_comments``, settings."""

    def test_admin_store_keeps_bans_and_ends_timed_ones(
        self, store: object, store_clock: ManualClock
    ) -> None:
        """A ban keeps every field; a timed one stops being active at ``until``; newest first."""
        admin = _admin(store)
        now = store_clock.now()
        forever = admin.add_ban(
            Ban(BanKind.EMAIL, "x@example.org", now, reason="spam ✨", created_by="admin:admin")
        )
        hour = admin.add_ban(
            Ban(BanKind.IP, "203.0.113.0/24", now, until=now + timedelta(hours=1), shadow=True)
        )
        assert 0 < forever.id < hour.id
        assert [hour, forever] == admin.active_bans(now)
        assert [forever] == admin.active_bans(now + timedelta(hours=1))

    def test_admin_store_lifts_a_ban_for_good(
        self, store: object, store_clock: ManualClock
    ) -> None:
        """A lifted ban is gone; lifting it again is NotFoundError."""
        admin = _admin(store)
        ban = admin.add_ban(Ban(BanKind.IDENTITY, "anonymous:x", store_clock.now()))
        admin.lift_ban(ban.id)
        assert [] == admin.active_bans(store_clock.now())
        with pytest.raises(NotFoundError):
            admin.lift_ban(ban.id)

    def test_admin_store_searches_name_email_ip_and_status(self, store_kit: Kit) -> None:
        """Name is a substring (any case), email whole (any case), IP a prefix; newest first."""
        store_kit.thread("site-a:t1")
        store_kit.thread("site-b:t1")
        first = store_kit.add(thread_key="site-a:t1", author=_DORA, ip="203.0.113.7")
        spam = store_kit.add(
            thread_key="site-b:t1", author=_DORA, ip="198.51.100.2", status=Status.SPAM
        )
        store_kit.add(thread_key="site-a:t1", author=BOB, ip="203.0.113.8")
        store_kit.add(thread_key="site-a:t1", author=ADA, ip="192.0.2.1")
        admin = _admin(store_kit.store)

        def ids(search: CommentSearch) -> list[int]:
            return [c.id for c in admin.search_comments(search, limit=50).comments]

        assert [spam.id, first.id] == ids(CommentSearch(name="THEA sm"))
        assert [spam.id, first.id] == ids(CommentSearch(email="dora@example.ORG"))
        assert [first.id] == ids(CommentSearch(email="dora@example.org", thread_prefix="site-a:"))
        assert [spam.id] == ids(CommentSearch(name="dorothea", statuses=(Status.SPAM,)))
        assert 2 == len(ids(CommentSearch(ip="203.0.113.")))
        assert [] == ids(CommentSearch(email="dora@example"))

    def test_admin_store_search_pages_by_keyset(self, store_kit: Kit) -> None:
        """Pages of a search follow each other without loss or repeat, across statuses."""
        store_kit.thread()
        made = [
            store_kit.add(author=CY, status=(Status.PENDING, Status.APPROVED, Status.SPAM)[i % 3])
            for i in range(11)
        ]
        admin = _admin(store_kit.store)
        seen: list[int] = []
        cursor: str | None = None
        for _ in range(10):
            rows = admin.search_comments(CommentSearch(name="cy"), limit=4, cursor=cursor)
            seen.extend(c.id for c in rows.comments)
            cursor = rows.next_cursor
            if cursor is None:
                break
        assert [c.id for c in reversed(made)] == seen

    def test_admin_store_search_refuses_a_foreign_cursor(self, store: object) -> None:
        """A cursor that is not the search's own is ``invalid_cursor``."""
        with pytest.raises(ValidationError) as caught:
            _admin(store).search_comments(CommentSearch(), limit=5, cursor="o.12")
        assert "invalid_cursor" == caught.value.code

    def test_admin_store_replaces_site_settings_whole(self, store: object) -> None:
        """Saved settings come back as saved; a new save replaces them; sites are apart."""
        admin = _admin(store)
        assert {} == admin.site_settings("a.example")
        admin.save_site_settings("a.example", {"moderation": "hold-all", "reserved": "Ada, Bö"})
        admin.save_site_settings("a.example", {"close_after_days": "30"})
        admin.save_site_settings("b.example", {"moderation": "publish"})
        assert {"close_after_days": "30"} == admin.site_settings("a.example")
        assert {"moderation": "publish"} == admin.site_settings("b.example")
