"""Serialization of what the engine really returns (memory store): pages, placeholders, export."""

from __future__ import annotations

import json

import msgspec

from threadkit.engine import CommentEngine, PersonalData
from threadkit.memory import MemoryStore
from threadkit.models import Actor, Identity, RequestContext, Submission
from threadkit.serialization import dumps, encode_page, loads, to_public

ADA = Identity("anonymous", "b1", "Ada", "ada@example.org")
BOB = Identity("anonymous", "b2", "Bob", "bob@example.org")
MODERATOR = Actor(Identity("site", "admin", "Admin"), moderator=True)
CONTEXT = RequestContext("203.0.113.9", "Mozilla/5.0")


def busy_engine() -> tuple[CommentEngine, int]:
    """Post a small conversation with one deleted comment that keeps its replies."""
    engine = CommentEngine(MemoryStore())
    first = engine.post("post-1", Submission("Hello *world* \U0001f44b\U0001f3fd"), ADA, CONTEXT)
    reply = engine.post("post-1", Submission("Hi Ada", parent_id=first.id), BOB, CONTEXT)
    engine.post(
        "post-1", Submission("Hi Bob \u2028 \u05e9\u05dc\u05d5\u05dd", parent_id=reply.id), ADA
    )
    second = engine.post("post-1", Submission("Second thread"), BOB)
    engine.vote(second.id, Actor(ADA), 1)
    engine.delete(reply.id, MODERATOR)
    return engine, reply.id


def test_engine_page_fast_bytes_equal_the_reference() -> None:
    """A page the engine builds encodes to the reference bytes, for readers and moderators."""
    engine, _ = busy_engine()
    page = engine.page("post-1")
    assert msgspec.json.encode(to_public(page)) == encode_page(page)
    assert msgspec.json.encode(to_public(page, moderator=True)) == encode_page(page, moderator=True)


def test_engine_page_shows_the_placeholder_and_no_private_data() -> None:
    """The deleted reply is a placeholder in the JSON; no email or IP appears anywhere."""
    engine, deleted_id = busy_engine()
    raw = encode_page(engine.page("post-1"))
    shape = json.loads(raw)
    placeholder = shape["comments"][0]["replies"][0]
    assert (deleted_id, "deleted", None, 1) == (
        placeholder["id"],
        placeholder["status"],
        placeholder["author"],
        len(placeholder["replies"]),
    )
    assert [] == [secret for secret in (b"example.org", b"203.0.113.9") if secret in raw]


def test_engine_export_round_trips() -> None:
    """An identity's export survives dumps and loads unchanged."""
    engine, _ = busy_engine()
    export = engine.export(ADA.key)
    assert 1 == len(export.votes)
    assert export == loads(PersonalData, dumps(export))
