"""Bans: BanCheck in the default pipeline, through the engine and the in-memory store."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from threadkit import Actor, Identity, RejectedError, RequestContext, Status, Submission
from threadkit.bans import Ban, BanKind, check_ban_value
from threadkit.clock import ManualClock
from threadkit.codes import CODES
from threadkit.engine import CommentEngine
from threadkit.errors import ValidationError
from threadkit.memory import MemoryStore
from threadkit.moderation import BanCheck, default_pipeline
from threadkit.serialization import encode_public
from threadkit.testing.store_kit import T0

ADA = Identity("anonymous", "browser-ada", "Ada", email="Ada@Example.org")
BOB = Identity("anonymous", "browser-bob", "Bob")
HERE = RequestContext(ip="203.0.113.7")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def engine(store: MemoryStore, clock: ManualClock) -> CommentEngine:
    return CommentEngine(store, pipeline=default_pipeline(store), clock=clock)


def ban(store: MemoryStore, clock: ManualClock, kind: BanKind, value: str, **extra: object) -> Ban:
    fields: dict[str, object] = {"kind": kind, "value": check_ban_value(kind, value)}
    fields.update(extra)
    return store.add_ban(Ban(created_at=clock.now(), **fields))  # type: ignore[arg-type]


def test_default_pipeline_checks_bans_when_the_store_keeps_them(store: MemoryStore) -> None:
    """The default pipeline has a BanCheck slot, filled for a store with ``active_bans``."""
    assert "bans" in [step.name for step in default_pipeline(store).steps]


def test_a_plain_ban_refuses_with_403_banned(
    engine: CommentEngine, store: MemoryStore, clock: ManualClock
) -> None:
    """A permanent identity ban refuses the post: code ``banned``, HTTP 403, nothing stored."""
    ban(store, clock, BanKind.IDENTITY, ADA.key)
    with pytest.raises(RejectedError) as caught:
        engine.post("t1", Submission("Hello"), ADA, HERE)
    assert ("banned", 403) == (caught.value.code, caught.value.http_status)
    assert "You are banned from commenting on this site." == caught.value.message
    assert [] == store.comments_by_author(ADA.key)
    assert 403 == CODES["banned"].status


def test_a_timed_ban_ends_at_its_time(
    engine: CommentEngine, store: MemoryStore, clock: ManualClock
) -> None:
    """A ban by email (any case) holds until ``until``, and not a moment after."""
    ban(store, clock, BanKind.EMAIL, "ada@example.ORG", until=clock.now() + timedelta(days=1))
    with pytest.raises(RejectedError) as caught:
        engine.post("t1", Submission("Hello"), ADA, HERE)
    assert "until 2026-03-02 09:30 UTC" in caught.value.message
    clock.advance(days=1)
    assert Status.APPROVED == engine.post("t1", Submission("Hello"), ADA, HERE).status


def test_an_ip_prefix_ban_matches_every_address_in_it(
    engine: CommentEngine, store: MemoryStore, clock: ManualClock
) -> None:
    """A network ban refuses any address inside it and lets others through."""
    ban(store, clock, BanKind.IP, "203.0.113.0/24")
    with pytest.raises(RejectedError):
        engine.post("t1", Submission("Hello"), BOB, RequestContext(ip="203.0.113.200"))
    posted = engine.post("t1", Submission("Hello"), BOB, RequestContext(ip="198.51.100.1"))
    assert Status.APPROVED == posted.status


def test_a_moderator_is_never_banned(
    engine: CommentEngine, store: MemoryStore, clock: ManualClock
) -> None:
    """A moderator posting from a banned address still posts."""
    ban(store, clock, BanKind.IP, "203.0.113.7")
    posted = engine.post("t1", Submission("Hi"), ADA, HERE, moderator=True)
    assert Status.APPROVED == posted.status


def test_a_shadow_ban_shows_the_comment_to_its_author_only(
    engine: CommentEngine, store: MemoryStore, clock: ManualClock
) -> None:
    """Shadow: stored as spam (reason shadow_banned); its author sees it published, others not."""
    ban(store, clock, BanKind.IDENTITY, ADA.key, shadow=True)
    posted = engine.post("t1", Submission("Hello"), ADA, HERE)
    assert Status.SPAM == posted.status
    assert ["shadow_banned"] == [reason.code for reason in posted.reasons]
    own = json.loads(encode_public(engine.page("t1", Actor(ADA))))
    assert [(posted.id, "approved")] == [(c["id"], c["status"]) for c in own["comments"]]
    others = json.loads(encode_public(engine.page("t1", Actor(BOB))))
    assert [] == others["comments"]
    moderator = json.loads(encode_public(engine.page("t1", Actor(BOB, moderator=True))))
    assert [] == moderator["comments"]


def test_a_plain_ban_wins_over_a_shadow_ban(
    engine: CommentEngine, store: MemoryStore, clock: ManualClock
) -> None:
    """An author under both kinds of ban is refused, not shadowed."""
    ban(store, clock, BanKind.IDENTITY, ADA.key, shadow=True)
    ban(store, clock, BanKind.IP, "203.0.113.7")
    with pytest.raises(RejectedError) as caught:
        engine.post("t1", Submission("Hello"), ADA, HERE)
    assert "banned" == caught.value.code


def test_a_lifted_ban_no_longer_refuses(
    engine: CommentEngine, store: MemoryStore, clock: ManualClock
) -> None:
    """After ``lift_ban`` the author posts again."""
    lifted = ban(store, clock, BanKind.IDENTITY, ADA.key)
    store.lift_ban(lifted.id)
    assert Status.APPROVED == engine.post("t1", Submission("Hello"), ADA, HERE).status


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [
        (BanKind.IP, "203.0.113", "invalid"),
        (BanKind.EMAIL, "nobody", "invalid_email"),
        (BanKind.IDENTITY, "  ", "required"),
    ],
)
def test_a_ban_value_that_cannot_match_is_refused(kind: BanKind, value: str, code: str) -> None:
    """An unusable ban value is a ValidationError on ``value`` with a clear code."""
    with pytest.raises(ValidationError) as caught:
        check_ban_value(kind, value)
    assert (code, "value") == (caught.value.code, caught.value.field)


def test_ban_values_are_normalized() -> None:
    """Emails are lower-cased; a one-address network is written as the address."""
    assert "ada@example.org" == check_ban_value(BanKind.EMAIL, " Ada@Example.ORG ")
    assert "203.0.113.7" == check_ban_value(BanKind.IP, "203.0.113.7/32")
    assert "2001:db8::/32" == check_ban_value(BanKind.IP, "2001:db8:0::/32")


def test_bancheck_names_its_step() -> None:
    """The step's name appears in its reasons."""
    assert "bans" == BanCheck(MemoryStore()).name
