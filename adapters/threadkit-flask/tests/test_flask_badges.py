"""Author badges and reserved names: a typed-in name never looks like a login."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from tkflask_support import create_app, post_json

from threadkit import Identity, Submission
from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.moderation import Honeypot, Pipeline, default_pipeline

CY = Identity("site", "cy", "Cy", verified=True)
MOD = Identity("site", "mod", "Mod", verified=True)  # the test app's moderator
FAKE_MOD = Identity("anonymous", "browser-9", "Mod")
GITHUB = Identity("github", "42", "Octo", verified=True)


def author_headings(html: str) -> dict[str, str]:
    """Map each comment's author heading id to its inner HTML."""
    pattern = r'<h\d class="tk-author" id="(comment-\d+-author)">(.*?)</h\d>'
    return dict(re.findall(pattern, html, flags=re.S))


def test_badges_show_for_verified_and_moderator_authors_only(
    engine: CommentEngine, client: FlaskClient
) -> None:
    """Moderator and "Verified · <provider>" badges; an anonymous "Mod" gets none."""
    first = engine.post("post-1", Submission("Hello"), MOD, moderator=True)
    replies = [  # the test app shows three top-level comments a page: the rest reply
        engine.post("post-1", Submission(f"Hi {n}", parent_id=first.id), who).id
        for n, who in enumerate([CY, FAKE_MOD, GITHUB])
    ]
    ids = [first.id, *replies]
    headings = author_headings(client.get("/posts/post-1").get_data(as_text=True))
    badge = r'<span class="tk-badge tk-badge-(\w+)">([^<]*)</span>'
    found = [re.findall(badge, headings[f"comment-{i}-author"]) for i in ids]
    expected = [
        [("moderator", "Moderator")],
        [("verified", "Verified · Site")],
        [],
        [("verified", "Verified · Github")],
    ]
    assert expected == found


def test_reserved_names_setting_refuses_a_lookalike_anonymous_post() -> None:
    """THREADKIT_RESERVED_NAMES reaches the guard: a look-alike name is a 422 on "name"."""
    store = MemoryStore()
    engine = CommentEngine(store, clock=ManualClock(), pipeline=default_pipeline(store))
    app = create_app(engine, config={"THREADKIT_RESERVED_NAMES": ["Demo Moderator"]})
    with app.test_client() as client:
        body = {"body": "Trust me", "name": "Dem\u043e Moderator"}  # Cyrillic o
        response = post_json(client, "/api/threads/post-1/comments", body)
    problem = response.get_json()
    assert (422, "name_reserved", "name") == (
        response.status_code,
        problem["code"],
        problem["field"],
    )


def test_reserved_names_without_a_guard_fail_loudly() -> None:
    """Setting THREADKIT_RESERVED_NAMES for a pipeline with no ImpersonationGuard is an error."""
    engine = CommentEngine(MemoryStore(), pipeline=Pipeline([Honeypot()]))
    with pytest.raises(RuntimeError, match="no ImpersonationGuard"):
        create_app(engine, config={"THREADKIT_RESERVED_NAMES": ["Admin"]})


def test_reserved_names_must_be_a_list_of_names() -> None:
    """A non-list setting is refused with a message that shows the expected shape."""
    store = MemoryStore()
    engine = CommentEngine(store, pipeline=default_pipeline(store))
    with pytest.raises(TypeError, match=r"must be a list of names, such as \['Admin'\]"):
        create_app(engine, config={"THREADKIT_RESERVED_NAMES": 42})
