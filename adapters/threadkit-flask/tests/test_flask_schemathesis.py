"""The served OpenAPI document tells the truth: schemathesis finds no violation and no 5xx.

Every operation of ``<prefix>/openapi.json`` gets generated requests, as a
reader and as a moderator (with a real session cookie and CSRF token, so
writes get past the CSRF check), on a MemoryStore-backed app seeded with a
small thread. Each answer must have a documented status and content type,
validate against its documented schema and never be a server error. The
number of examples is bounded and derandomized, so the run is short and repeatable.

Not checked here: whether every request the schemas allow is accepted
(schemathesis's ``positive_data_acceptance``). The request schemas are looser
than the server's rules (thread keys, cursors and tokens have formats the
document does not spell out), and those answers are documented 4xx problems.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tkflask_support import HoldWords, create_app

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.models import Actor, Identity, Submission
from threadkit.moderation import Pipeline

DOCUMENT = "/comments/openapi.json"
EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ("reader", "moderator")


def seeded_app() -> Flask:
    """Build the test host app on a MemoryStore holding a small thread.

    It has a reply chain, a pending comment, a deleted placeholder and
    authors with and without an email.
    """
    engine = CommentEngine(
        MemoryStore(),
        clock=ManualClock(),
        pipeline=Pipeline([HoldWords()]),
        policy=EnginePolicy(top_limit=3, total_limit=50, max_display_depth=3),
    )
    ada = Identity("anonymous", "browser-1", "Ada", "ada@example.org", "https://ada.example")
    bob = Identity("anonymous", "browser-2", "Bob")
    first = engine.post("post-1", Submission("Hello *world*"), ada)
    reply = engine.post("post-1", Submission("A reply", parent_id=first.id), bob)
    engine.post("post-1", Submission("Deeper", parent_id=reply.id), ada)
    engine.post("post-1", Submission("HOLDME for review"), bob)
    gone = engine.post("post-2", Submission("Soon a placeholder"), bob)
    engine.post("post-2", Submission("Keeps it in place", parent_id=gone.id), ada)
    engine.delete(gone.id, Actor(bob))
    return create_app(engine)


class Session:
    """A browser session of one role: its cookie and its CSRF header."""

    def __init__(self, app: Flask, role: str) -> None:
        client = app.test_client()
        if role == "moderator":
            client.get("/login/mod")
        me = client.get("/comments/api/me").get_json()
        assert (role == "moderator") == me["moderator"]
        cookie = client.get_cookie("session")
        assert cookie is not None
        self.cookies = {"session": cookie.value}
        self.headers = {me["csrf_header"]: me["csrf_token"]}


def operation_labels() -> list[str]:
    """List every operation in the served document ("GET /api/threads/{key}", ...)."""
    schema = schemathesis.openapi.from_wsgi(DOCUMENT, seeded_app())
    return [result.ok().label for result in schema.get_all_operations()]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", operation_labels())
def test_every_answer_matches_the_document(label: str, role: str) -> None:
    """Generated requests get documented statuses, content types and shapes, and no 5xx."""
    app = seeded_app()
    session = Session(app, role)
    schema = schemathesis.openapi.from_wsgi(DOCUMENT, app)
    operation = next(
        result.ok() for result in schema.get_all_operations() if result.ok().label == label
    )

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=session.headers, cookies=session.cookies, checks=CHECKS)

    run()
