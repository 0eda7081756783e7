"""The emailed one-click links' shared core: what GET shows, what acting does, what is refused."""

from __future__ import annotations

import pytest
from threadkit_web import pages
from threadkit_web.state import WebState

from threadkit.errors import ThreadkitError
from threadkit.models import Identity, Status, Submission

EVE = Identity("anonymous", "eve", "Eve", email="eve@example.org")


def _comment(state: WebState, *, notify: bool = False) -> int:
    return state.engine.post("post-1", Submission("Buy now", notify_replies=notify), EVE).id


def _refusal(call: object) -> tuple[int, str]:
    assert callable(call)
    with pytest.raises(ThreadkitError) as refused:
        call()
    return refused.value.http_status, refused.value.code


def test_moderation_link_shows_without_acting_then_acts(state: WebState) -> None:
    """act=False only describes the decision; act=True applies it as a moderator."""
    cid = _comment(state)
    before = state.engine.store.get_comment(cid).status
    token = pages.moderate_token(state, cid, "spam")
    shown = pages.moderate_link_context(state, token, act=False)
    assert (cid, "spam", False, before) == (
        shown["comment"].id, shown["decision"].value, shown["done"],
        state.engine.store.get_comment(cid).status,
    )
    done = pages.moderate_link_context(state, token, act=True)
    assert (True, Status.SPAM) == (done["done"], done["comment"].status)


def test_moderation_link_refuses_other_purposes_actions_and_gone_comments(
    state: WebState,
) -> None:
    """An unsubscribe token, an unknown action or a missing comment never moderates."""
    cid = _comment(state)
    wrong_purpose = pages.unsubscribe_token(state, cid)
    odd_action = pages.moderate_token(state, cid, "promote")
    gone = pages.moderate_token(state, cid + 1000, "approve")
    refusals = [
        _refusal(lambda: pages.moderate_link_context(state, wrong_purpose, act=True)),
        _refusal(lambda: pages.moderate_link_context(state, odd_action, act=True)),
        _refusal(lambda: pages.moderate_link_context(state, gone, act=True)),
    ]
    assert [422, 422, 404] == [status for status, _ in refusals]
    assert ("invalid_decision", "comment_not_found") == (refusals[1][1], refusals[2][1])


def test_unsubscribe_link_stops_reply_emails_only_when_acting(state: WebState) -> None:
    """act=False leaves notify_replies on; act=True turns it off, and again is harmless."""
    cid = _comment(state, notify=True)
    token = pages.unsubscribe_token(state, cid)
    assert {"token": token, "done": False} == pages.unsubscribe_context(state, token, act=False)
    assert True is state.engine.store.get_comment(cid).notify_replies
    for _ in range(2):
        assert {"token": token, "done": True} == pages.unsubscribe_context(state, token, act=True)
    assert False is state.engine.store.get_comment(cid).notify_replies
    moderate = pages.moderate_token(state, cid, "approve")
    assert 422 == _refusal(lambda: pages.unsubscribe_context(state, moderate, act=True))[0]
