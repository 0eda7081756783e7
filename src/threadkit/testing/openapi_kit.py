"""Prove a web adapter's served OpenAPI document with schemathesis, the same way on every adapter.

An adapter's test builds its app on :func:`seeded_engine` (a memory store
holding a small thread), loads the served document with schemathesis
(``schemathesis.openapi.from_wsgi(path, app)``), parametrizes over
:func:`operation_labels` and :data:`ROLES`, and calls :func:`check_operation`
with the :class:`Credentials` of a real session of that role (so writes get
past the CSRF check)::

    schema = schemathesis.openapi.from_wsgi("/comments/openapi.json", app)
    check_operation(schema, "GET /api/threads/{key}", Credentials(csrf_header, cookies))

Each answer must have a documented status and content type, validate against
its documented schema and never be a server error. The number of examples is
bounded (:data:`EXAMPLES`) and derandomized, so a run is short and repeatable.

Not checked: whether every request the schemas allow is accepted
(schemathesis's ``positive_data_acceptance``). The request schemas are looser
than the server's rules (thread keys, cursors and tokens have formats the
document does not spell out), and those answers are documented 4xx problems.

Needs schemathesis (a development dependency, not one of threadkit's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import jsonschema_rs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, BaseSchema
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine, EnginePolicy
from threadkit.models import Actor, Identity, Submission
from threadkit.moderation import Pipeline
from threadkit.moderation.keywords import KeywordList
from threadkit.ports import CommentStore

__all__ = [
    "CHECKS",
    "EXAMPLES",
    "Credentials",
    "HOLD_WORD",
    "MODERATOR_READS",
    "READER_READS",
    "ROLES",
    "check_operation",
    "operation_labels",
    "schema_errors",
    "seeded_engine",
]

EXAMPLES = 12
"""Generated requests per operation and role (derandomized, so always the same ones)."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
"""What every answer must pass: no 5xx; documented status, content type, headers and shape."""

ROLES = ("reader", "moderator")
"""The sessions each operation is exercised as (a moderator sees the private shapes)."""


@attrs.frozen
class Credentials:
    """What one browser session sends with every request: its CSRF header and its cookies."""

    headers: Mapping[str, str]
    cookies: Mapping[str, str]


HOLD_WORD = "HOLDME"
"""A comment containing this word waits for a moderator in :func:`seeded_engine`."""


READER_READS = [
    ("/api/threads/post-1", "ThreadPage"),
    ("/api/threads/post-2", "ThreadPage"),
    ("/api/comments/1", "Comment"),
    ("/api/comments/1/replies", "SubtreePage"),
    ("/api/me", "Me"),
    ("/api/counts?thread=post-1&thread=nope", "Counts"),
]
"""GETs of the seeded site (below the prefix) that answer 200 to a reader, and their schema."""

MODERATOR_READS = [
    ("/api/threads/post-1", "ModeratorThreadPage"),
    ("/api/threads/post-2", "ModeratorThreadPage"),
    ("/api/comments/2", "ModeratorComment"),
    ("/api/comments/1/replies", "ModeratorSubtreePage"),
    ("/api/moderation/queue", "ModeratorCommentRows"),
]
"""GETs of the seeded site that answer 200 to a moderator, and their (private) schema."""


def schema_errors(document: Mapping[str, Any], name: str, value: Any) -> list[str]:
    """Validate ``value`` against the schema ``name`` of ``document``; return the errors."""
    root = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return [error.message for error in jsonschema_rs.validator_for(root).iter_errors(value)]


def seeded_engine(store: CommentStore) -> CommentEngine:
    """Build an engine on an empty ``store`` and seed it with a small site.

    Thread ``post-1`` has a reply chain three deep (comments 1, 2, 3) and a
    comment held for review (4); thread ``post-2`` has a deleted placeholder
    (5) with a reply (6). Authors come with and without an email. The engine
    holds comments containing :data:`HOLD_WORD` and pages three top-level
    comments at a time. Usable as a factory where an adapter names its engine
    by import path (Django's ``THREADKIT["ENGINE"]``).
    """
    engine = CommentEngine(
        store,
        clock=ManualClock(),
        pipeline=Pipeline([KeywordList(hold=[HOLD_WORD])]),
        policy=EnginePolicy(top_limit=3, total_limit=50, max_display_depth=3),
    )
    ada = Identity("anonymous", "browser-1", "Ada", "ada@example.org", "https://ada.example")
    bob = Identity("anonymous", "browser-2", "Bob")
    first = engine.post("post-1", Submission("Hello *world*"), ada)
    reply = engine.post("post-1", Submission("A reply", parent_id=first.id), bob)
    engine.post("post-1", Submission("Deeper", parent_id=reply.id), ada)
    engine.post("post-1", Submission(f"{HOLD_WORD} for review"), bob)
    gone = engine.post("post-2", Submission("Soon a placeholder"), bob)
    engine.post("post-2", Submission("Keeps it in place", parent_id=gone.id), ada)
    engine.delete(gone.id, Actor(bob))
    return engine


def _operations(schema: BaseSchema) -> list[APIOperation[Any, Any, Any, Any]]:
    """Every operation of ``schema``; an operation schemathesis cannot read raises its error."""
    operations: list[APIOperation[Any, Any, Any, Any]] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operations.append(result.ok())
    return operations


def operation_labels(schema: BaseSchema) -> list[str]:
    """List every operation of ``schema`` by label ("GET /api/threads/{key}", ...)."""
    return [operation.label for operation in _operations(schema)]


_SEEDED = st.tuples(st.sampled_from(range(1, 7)), st.sampled_from(["post-1", "post-2"]))


def _aim(drawn: tuple[Any, bool, tuple[int, str]]) -> Any:
    """Point about half the cases at the seeded site, so they reach real comments and threads.

    Generated ids and keys alone almost never exist, so every answer would be a 404.
    """
    case, aimed, (comment_id, key) = drawn
    parameters = case.path_parameters
    if aimed and parameters:
        if "comment_id" in parameters:
            parameters["comment_id"] = comment_id
        if "key" in parameters:
            parameters["key"] = key
    return case


def check_operation(schema: BaseSchema, label: str, session: Credentials) -> None:
    """Send :data:`EXAMPLES` generated requests to the operation ``label`` and run :data:`CHECKS`.

    The ``session``'s headers and cookies go with every request; about half
    the cases name a comment (1 to 6) or thread of :func:`seeded_engine`.
    Raises the first failed check, with the request that failed it.
    """
    matching = [operation for operation in _operations(schema) if operation.label == label]
    if not matching:
        raise LookupError(f"the document has no operation {label!r}")

    @given(case=st.tuples(matching[0].as_strategy(), st.booleans(), _SEEDED).map(_aim))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(
            headers=dict(session.headers), cookies=dict(session.cookies), checks=CHECKS
        )

    run()
