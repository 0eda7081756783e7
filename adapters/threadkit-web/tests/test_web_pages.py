"""The HTML pages' shared cores: who may change a comment, and the comment page."""

from __future__ import annotations

import json

import pytest
from threadkit_web import api, pages
from threadkit_web.state import WebState
from web_support import ALICE, PlainRequest, PlainVisit

from threadkit.errors import ThreadkitError


def _posted(state: WebState, visit: PlainVisit, body: str, parent: int | None = None) -> int:
    data: dict[str, object] = {"body": body, "name": "Bob"}
    if parent is not None:
        data["parent_id"] = parent
    return int(json.loads(api.post(state, visit, "post-1", data, None).body)["id"])


def test_the_author_may_change_a_stranger_gets_403_and_deleted_is_409(state: WebState) -> None:
    """changeable(): the author may; a stranger gets 403; the deleted placeholder gets 409."""
    author = PlainVisit(state)
    cid = _posted(state, author, "Mine")
    assert cid == pages.changeable(state, author, str(cid)).id
    refusals = []
    for visit in (PlainVisit(state, browser="someone-else"), PlainVisit(state, identity=ALICE)):
        try:
            pages.changeable(state, visit, str(cid))
            refusals.append(None)
        except ThreadkitError as error:
            refusals.append((error.http_status, error.code))
    _posted(state, PlainVisit(state, identity=ALICE), "A reply keeps a placeholder", cid)
    api.delete(state, author, str(cid))
    with pytest.raises(ThreadkitError) as gone:
        pages.changeable(state, PlainVisit(state, identity=ALICE), str(cid))
    assert ([(403, "not_author"), None], 409) == (refusals, gone.value.http_status)


def test_the_comment_page_holds_the_comment_and_its_replies(state: WebState) -> None:
    """comment_page_context() nests the replies under the comment and links back to ``back``."""
    visit = PlainVisit(state, request=PlainRequest(path="/comments/comments/1"))
    top = _posted(state, visit, "Top")
    _posted(state, PlainVisit(state, identity=ALICE), "Reply", parent=top)
    context = pages.comment_page_context(state, visit, str(top), "/posts/hello")
    (node,) = context["nodes"]
    assert (top, ["Reply"], "/posts/hello", "post-1") == (
        node.comment.id,
        [child.comment.body_source for child in node.children],
        context["next_url"],
        context["key"],
    )


def test_the_queue_is_for_moderators_and_checks_its_status(state: WebState) -> None:
    """queue_context(): 401 for nobody, 422 for status=approved, the pending page for Alice."""
    nobody = PlainVisit(state)
    with pytest.raises(ThreadkitError) as anonymous:
        pages.queue_context(state, nobody)
    wrong = PlainVisit(state, identity=ALICE, request=PlainRequest(query="status=approved"))
    with pytest.raises(ThreadkitError) as invalid:
        pages.queue_context(state, wrong)
    shown = pages.queue_context(state, PlainVisit(state, identity=ALICE))
    assert (401, 422, "pending", []) == (
        anonymous.value.http_status,
        invalid.value.http_status,
        shown["shown"],
        list(shown["rows"].comments),
    )
