"""The JSON API's handlers answer from threadkit_web alone, the same way in every adapter."""

from __future__ import annotations

import json

import pytest
from threadkit_web import api
from threadkit_web.state import WebState
from web_support import ALICE, PlainRequest, PlainVisit

from threadkit.errors import ThreadkitError


def test_an_anonymous_post_is_201_with_its_location_and_remembers_the_author(
    state: WebState,
) -> None:
    """The anonymous form identity is keyed to a new browser id; its details are kept."""
    visit = PlainVisit(state)
    answer = api.post(state, visit, "post-1", {"body": "Hi", "name": "Bob"}, None)
    made = json.loads(answer.body)
    assert (201, f"/comments/api/comments/{made['id']}", "Bob") == (
        answer.status,
        answer.headers["Location"],
        made["author"]["name"],
    )
    assert ("browser-1", {"name": "Bob"}) == (visit.browser, visit.author)


def test_the_author_edits_a_stranger_may_not(state: WebState) -> None:
    """The same browser edits its comment; another browser gets 403."""
    author = PlainVisit(state)
    cid = json.loads(api.post(state, author, "post-1", {"body": "Hi", "name": "Bob"}, None).body)[
        "id"
    ]
    edited = json.loads(api.edit(state, author, str(cid), {"body": "Hello"}).body)
    assert "<p>Hello</p>\n" == edited["body_html"]
    stranger = PlainVisit(state, browser="browser-2")
    with pytest.raises(ThreadkitError) as refused:
        api.edit(state, stranger, str(cid), {"body": "Mine now"})
    assert 403 == refused.value.http_status


def test_a_reply_goes_to_the_parents_thread_and_a_bad_id_is_404(state: WebState) -> None:
    """reply() finds the thread from the parent; 'abc' is no comment id."""
    visit = PlainVisit(state, identity=ALICE)
    parent = json.loads(api.post(state, visit, "post-1", {"body": "Top"}, None).body)
    child = json.loads(api.reply(state, visit, str(parent["id"]), {"body": "Re"}, None).body)
    assert (parent["id"], "post-1") == (child["parent_id"], child["thread"])
    with pytest.raises(ThreadkitError) as missing:
        api.comment(state, visit, "abc")
    assert (404, "comment_not_found") == (missing.value.http_status, missing.value.code)


def test_me_tells_a_moderator_and_counts_read_the_query(state: WebState) -> None:
    """Alice is logged in and moderates; counts name each thread asked for."""
    visit = PlainVisit(state, identity=ALICE)
    api.post(state, visit, "post-1", {"body": "One"}, None)
    me = json.loads(api.me(state, visit, "tok").body)
    counts = json.loads(api.counts(state, PlainRequest(query="thread=post-1&thread=x")).body)
    assert (True, True, "tok", {"post-1": 1, "x": 0}) == (
        me["logged_in"],
        me["moderator"],
        me["csrf_token"],
        counts["counts"],
    )
