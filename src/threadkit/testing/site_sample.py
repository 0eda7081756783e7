"""A small site that uses every field a site export must carry, for any store.

:func:`fill_sample_site` writes it through the :class:`~threadkit.ports.SiteStore`
methods only, so the same content lands in every backend: threads open,
closed and empty (one with a non-ASCII key), comments approved, pending,
spam, edited and deleted (a placeholder with a reply), authors with and
without email, request context, moderation reasons, reply notifications,
votes with and without address and time, two bans (when the store keeps
bans), and a generated thread loaded in bulk with vote tallies but no
individual votes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from threadkit.bans import Ban, BanKind
from threadkit.exporters.site import BanList
from threadkit.models import (
    DELETED_AUTHOR,
    Identity,
    NewComment,
    Reason,
    RequestContext,
    Status,
)
from threadkit.ports import SiteStore
from threadkit.testing.generate import generate_thread
from threadkit.testing.store_kit import plain_draft

__all__ = ["SAMPLE_START", "fill_sample_site"]

SAMPLE_START = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
"""The sample site's first moment (microseconds included, so they must survive)."""

ANNA = Identity("form", "browser-anna", "Anna Ærø", email="anna@example.org")
BEN = Identity("github", "4242", "Ben 😀", url="https://ben.example", avatar=None, verified=True)
CARLA = Identity("form", "browser-carla", "كارلا", email="carla@example.org")


def _draft(
    thread: str, parent: int | None, who: Identity, body: str, minutes: int, **extra: Any
) -> NewComment:
    draft = plain_draft(thread, parent, who, body, SAMPLE_START + timedelta(minutes=minutes))
    return attrs.evolve(draft, **extra)


def fill_sample_site(store: SiteStore, *, generated: int = 300) -> None:
    """Write the sample site into an empty ``store`` (``generated`` bulk comments)."""
    at = SAMPLE_START
    store.ensure_thread("posts/hello", title="Hello", url="https://blog.example/hello", now=at)
    store.ensure_thread("posts/ünïcødé-日本", title="Ünïcødé", now=at + timedelta(seconds=1))
    store.ensure_thread("posts/empty", now=at + timedelta(seconds=2))
    ctx = RequestContext("203.0.113.7", "Firefox/130", "https://blog.example/", "fr")
    first = store.add_comment(_draft("posts/hello", None, ANNA, "First!", 1, context=ctx))
    reply = store.add_comment(
        _draft("posts/hello", first.id, BEN, "Welcome", 2, notify_replies=True)
    )
    doomed = store.add_comment(_draft("posts/hello", None, CARLA, "Gone soon", 3))
    store.add_comment(_draft("posts/hello", doomed.id, ANNA, "Reply to gone", 4))
    store.add_comment(
        _draft(
            "posts/hello",
            reply.id,
            CARLA,
            "Buy now",
            5,
            status=Status.SPAM,
            reasons=(Reason("keywords", "spam_keyword", "Matched “buy now”."),),
        )
    )
    store.add_comment(
        _draft(
            "posts/hello",
            None,
            BEN,
            "Held",
            6,
            status=Status.PENDING,
            reasons=(Reason("links", "too_many_links", "3 links"),),
        )
    )
    edited = store.add_comment(_draft("posts/ünïcødé-日本", None, CARLA, "مرحبا", 7))
    later = at + timedelta(minutes=8, microseconds=7)
    store.update_comment(
        attrs.evolve(edited, body_source="مرحبا!", body_html="<p>مرحبا!</p>", edited_at=later),
        now=later,
    )
    store.update_comment(
        attrs.evolve(
            doomed,
            author=DELETED_AUTHOR,
            body_source="",
            body_html="",
            status=Status.DELETED,
            context=RequestContext(),
        ),
        now=later,
    )
    store.set_thread_closed("posts/ünïcødé-日本", True)
    store.vote(first.id, ANNA.key, 1, ip="198.51.100.1", at=at + timedelta(minutes=9))
    store.vote(first.id, BEN.key, -1, ip="198.51.100.2", at=at + timedelta(minutes=9))
    store.vote(reply.id, CARLA.key, 1)
    store.vote(edited.id, ANNA.key, 1, ip="198.51.100.1", at=at + timedelta(minutes=10))
    if isinstance(store, BanList):
        store.add_ban(Ban(BanKind.EMAIL, "spammer@example.net", at, reason="Spam", created_by="m"))
        store.add_ban(
            Ban(BanKind.IP, "198.51.100.0/24", at, until=at + timedelta(days=3650), shadow=True)
        )
    if generated:
        rows = generate_thread(generated, seed=11)
        store.bulk_load("generated/big", rows)
