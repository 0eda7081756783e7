"""Conformance: text and time round-trip: Unicode byte for byte, aware UTC with microseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from threadkit.models import EventKind, Identity, NewComment, Notice, Status
from threadkit.ports import CommentStore
from threadkit.testing.store_kit import ADA, T0, Kit
from threadkit.testing.suite_support import SAMPLE_IDS, UNICODE_SAMPLES

__all__ = ["TextAndTimeSuite"]


class TextAndTimeSuite:
    """Text and time round-trip: Unicode byte for byte, aware UTC with microseconds."""

    @pytest.mark.parametrize("text", UNICODE_SAMPLES, ids=SAMPLE_IDS)
    def test_unicode_round_trips_in_comments(self, store_kit: Kit, text: str) -> None:
        """Bodies, author name and url come back exactly as written."""
        store_kit.thread()
        author = Identity("anonymous", "u-" + text, text, url="https://example.org/" + text)
        draft = NewComment(
            "t1", None, author, text, f"<p>{text}</p>", Status.APPROVED, store_kit.clock.tick()
        )
        comment = store_kit.store.add_comment(draft)
        stored = store_kit.get(comment)
        expected = (text, f"<p>{text}</p>", text, "https://example.org/" + text, author.key)
        actual = (
            stored.body_source,
            stored.body_html,
            stored.author.name,
            stored.author.url,
            stored.author.key,
        )
        assert expected == actual
        assert [stored] == store_kit.pages()[0].comments
        assert [comment.id] == [c.id for c in store_kit.store.comments_by_author(author.key)]
        assert True is store_kit.store.has_duplicate("t1", author.key, text)

    @pytest.mark.parametrize("text", UNICODE_SAMPLES, ids=SAMPLE_IDS)
    def test_unicode_round_trips_in_threads(self, store: CommentStore, text: str) -> None:
        """Thread key, title and url come back exactly as written."""
        key = "post/" + text
        url = "https://example.org/" + text
        created = store.ensure_thread(key, title=text, url=url, now=T0)
        found = store.get_thread(key)
        assert found is not None
        assert (key, text, url) == (found.key, found.title, found.url)
        assert created == found
        assert {key: 0} == store.counts([key])

    def test_timestamps_round_trip_as_aware_utc_with_microseconds(self, store_kit: Kit) -> None:
        """Creation, edit, thread and outbox times come back equal, in UTC, to the microsecond."""
        thread = store_kit.thread()
        comment = store_kit.add(notices=[Notice("email", EventKind.POSTED)])
        edited_at = datetime(2026, 3, 2, 1, 2, 3, 999999, tzinfo=UTC)
        store_kit.store.update_comment(attrs.evolve(comment, edited_at=edited_at), now=edited_at)
        stored = store_kit.get(comment)
        (message,) = store_kit.store.claim_outbox(now=comment.created_at, limit=1, lease_seconds=60)
        moments = [
            thread.created_at,
            stored.created_at,
            stored.edited_at,
            message.created_at,
            message.next_attempt_at,
            store_kit.store.latest_comment_at(author_key=ADA.key),
        ]
        created = comment.created_at
        assert [T0, created, edited_at, created, created, created] == moments
        assert [timedelta(0)] * 6 == [m.utcoffset() if m else None for m in moments]
        assert T0.microsecond == thread.created_at.microsecond

    def test_times_in_other_zones_come_back_as_the_same_instant_in_utc(
        self, store_kit: Kit
    ) -> None:
        """An aware non-UTC creation time is stored as the same instant, returned in UTC."""
        store_kit.thread()
        india = datetime(2026, 3, 1, 15, 0, 0, 250, tzinfo=timezone(timedelta(hours=5, minutes=30)))
        draft = NewComment("t1", None, ADA, "x", "x", Status.APPROVED, india)
        stored = store_kit.get(store_kit.store.add_comment(draft))
        expected = (datetime(2026, 3, 1, 9, 30, 0, 250, tzinfo=UTC), timedelta(0))
        assert expected == (stored.created_at, stored.created_at.utcoffset())
