"""The served OpenAPI document tells the truth: schemathesis finds no violation and no 5xx.

Every operation of ``<prefix>/openapi.json`` gets generated requests, as a
reader and as a moderator (with a real session cookie and CSRF token, so
writes get past the CSRF check), on a MemoryStore-backed app seeded with a
small thread. The checks, the bound on examples and the seeded thread are
the shared kit's (:mod:`threadkit.testing.openapi_kit`), as for Django.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from threadkit_flask.views_json import MAX_QUERY_LIMIT
from tkflask_support import create_app

from threadkit.engine import EnginePolicy
from threadkit.memory import MemoryStore
from threadkit.testing.openapi_kit import (
    MODERATOR_READS,
    READER_READS,
    ROLES,
    Credentials,
    check_operation,
    operation_labels,
    schema_errors,
    seeded_engine,
)

DOCUMENT = "/comments/openapi.json"


def seeded_app() -> Flask:
    """Build the test host app on the kit's seeded MemoryStore."""
    return create_app(seeded_engine(MemoryStore()))


def session(app: Flask, role: str) -> Credentials:
    """The cookie and CSRF header of a browser session of ``role``."""
    client = app.test_client()
    if role == "moderator":
        client.get("/login/mod")
    me = client.get("/comments/api/me").get_json()
    assert (role == "moderator") == me["moderator"]
    cookie = client.get_cookie("session")
    assert cookie is not None
    return Credentials({me["csrf_header"]: me["csrf_token"]}, {"session": cookie.value})


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "label", operation_labels(schemathesis.openapi.from_wsgi(DOCUMENT, seeded_app()))
)
def test_every_answer_matches_the_document(label: str, role: str) -> None:
    """Generated requests get documented statuses, content types and shapes, and no 5xx."""
    app = seeded_app()
    schema = schemathesis.openapi.from_wsgi(DOCUMENT, app)
    check_operation(schema, label, session(app, role))


# ---------------------------------------------------------------- each role's own shapes


def served_schema_errors(app: Flask, name: str, value: Any) -> list[str]:
    """Validate ``value`` against the served document's schema ``name``; return the errors."""
    return schema_errors(app.test_client().get(DOCUMENT).get_json(), name, value)


@pytest.mark.parametrize(("path", "name"), READER_READS)
def test_reader_answers_validate_against_reader_shapes(path: str, name: str) -> None:
    """A reader's answers match the reader's schemas, which allow no private key."""
    app = seeded_app()
    response = app.test_client().get(f"/comments{path}")
    assert 200 == response.status_code
    assert [] == served_schema_errors(app, name, response.get_json())


@pytest.mark.parametrize(("path", "name"), MODERATOR_READS)
def test_moderator_answers_validate_against_moderator_shapes(path: str, name: str) -> None:
    """A moderator's answers match the moderator's schemas (an author may have no email)."""
    app = seeded_app()
    client = app.test_client()
    client.get("/login/mod")
    response = client.get(f"/comments{path}")
    assert 200 == response.status_code
    assert [] == served_schema_errors(app, name, response.get_json())


def test_moderation_queue_shows_a_missing_email_as_null() -> None:
    """The queue's author without an email has ``"email": null``, which the schema allows."""
    app = seeded_app()
    client = app.test_client()
    client.get("/login/mod")
    queued = client.get("/comments/api/moderation/queue").get_json()["comments"]
    assert [None] == [comment["author"]["email"] for comment in queued]
    assert [] == served_schema_errors(
        app, "ModeratorCommentRows", {"comments": queued, "next_cursor": None}
    )


def test_html_routes_document_html_errors() -> None:
    """An HTML route's 404 is an HTML page, and the document says so (not a JSON problem)."""
    app = seeded_app()
    document = app.test_client().get(DOCUMENT).get_json()
    documented = document["paths"]["/comments/{comment_id}"]["get"]["responses"]["404"]
    response = app.test_client().get("/comments/comments/999")
    assert 404 == response.status_code
    assert response.mimetype in documented["content"]
    api = document["paths"]["/api/comments/{comment_id}"]["get"]["responses"]["404"]
    assert ["application/problem+json"] == list(api["content"])


# ---------------------------------------------------------------- requests the document allows


def test_counts_documents_thread_as_required() -> None:
    """/api/counts without a thread is refused, and the document says the parameter is required."""
    app = seeded_app()
    document = app.test_client().get(DOCUMENT).get_json()
    (thread,) = document["paths"]["/api/counts"]["get"]["parameters"]
    assert ("thread", True) == (thread["name"], thread["required"])
    assert 422 == app.test_client().get("/comments/api/counts").status_code


@pytest.mark.parametrize(("limit", "status"), [("99999", 200), ("100000", 422), ("0", 422)])
def test_page_limits_are_the_documented_range(limit: str, status: int) -> None:
    """Limit and total_limit accept exactly 1 to MAX_QUERY_LIMIT, the documented range."""
    app = seeded_app()
    client = app.test_client()
    document = client.get(DOCUMENT).get_json()
    parameters = document["paths"]["/api/threads/{key}"]["get"]["parameters"]
    limits = [p["schema"] for p in parameters if p["name"] in ("limit", "total_limit")]
    assert [(1, MAX_QUERY_LIMIT)] * 2 == [(s["minimum"], s["maximum"]) for s in limits]
    for name in ("limit", "total_limit"):
        response = client.get(f"/comments/api/threads/post-1?{name}={limit}")
        assert status == response.status_code


def test_thread_key_schema_follows_the_engine_policy() -> None:
    """The served ThreadKey schema has the engine's key length, and refuses blank keys."""
    app = seeded_app()
    key = app.test_client().get(DOCUMENT).get_json()["components"]["schemas"]["ThreadKey"]
    assert EnginePolicy().max_thread_key_length == key["maxLength"]
    assert None is re.fullmatch(key["pattern"], "  ")
    assert None is re.fullmatch(key["pattern"], "post\x00")
    assert None is not re.fullmatch(key["pattern"], "post-1 ünï")
