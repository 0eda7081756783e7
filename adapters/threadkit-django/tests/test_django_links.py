"""The emailed one-click links through Django: moderate/<token> and unsubscribe/<token>."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory, override_settings
from threadkit_django import links, state
from tkdjango_site.engines import HOLD_ALL

from threadkit.models import Identity, Status, Submission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_state")]


def _comment(body: str = "Buy now", *, notify: bool = False) -> int:
    """Post one anonymous comment on a thread straight through the engine; return its id."""
    author = Identity("anonymous", "eve", "Eve", email="eve@example.org")
    submission = Submission(body, notify_replies=notify)
    return state.get_state().engine.post("hello", submission, author).id


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_moderation_link_get_confirms_post_acts() -> None:
    """GET changes nothing; a POST without the CSRF token is 403; with it, it approves."""
    with override_settings(THREADKIT=HOLD_ALL):
        cid = _comment()
        engine = state.get_state().engine
        link = links.moderation_link(cid, "approve")
        assert link.startswith("/comments/moderate/")
        reader = Client(enforce_csrf_checks=True)
        confirm = reader.get(link)
        assert 200 == confirm.status_code
        assert "no-store" == confirm["Cache-Control"]
        page = confirm.content.decode()
        assert "Approve this comment?" in page
        assert Status.PENDING is engine.store.get_comment(cid).status
        refused = reader.post(link)
        assert 403 == refused.status_code
        assert Status.PENDING is engine.store.get_comment(cid).status
        done = reader.post(link, {"csrf_token": _csrf(page)})
        assert 200 == done.status_code
        assert "The comment is now approved." in done.content.decode()
        assert Status.APPROVED is engine.store.get_comment(cid).status


def test_tampered_expired_or_misused_moderation_link_is_refused() -> None:
    """A changed, expired or other-purpose token is 422; a gone comment 404; no such action 422."""
    with override_settings(THREADKIT=HOLD_ALL):
        cid = _comment()
        link = links.moderation_link(cid, "spam")
        tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
        assert 422 == Client().get(tampered).status_code
        web = state.get_state().web
        old = web.signer.dumps(
            "moderate",
            {"comment_id": cid, "action": "spam"},
            now=web.clock.now() - timedelta(days=8),
            ttl=web.settings.moderate_link_ttl,
        )
        expired = Client().get(f"/comments/moderate/{old}")
        assert 422 == expired.status_code
        assert "expired" in expired.content.decode()
        unsubscribe_token = links.unsubscribe_link(cid).rsplit("/", 1)[1]
        assert 422 == Client().get(f"/comments/moderate/{unsubscribe_token}").status_code
        gone = Client().get(links.moderation_link(cid + 1000, "approve"))
        assert 404 == gone.status_code
        assert "no longer exists" in gone.content.decode()
        odd = Client().get(links.moderation_link(cid, "promote"))
        assert 422 == odd.status_code
        assert "Choose approve, spam, ham or delete." in odd.content.decode()


def test_unsubscribe_one_click_post_needs_no_csrf_token() -> None:
    """RFC 8058: GET confirms; a mail client's POST without a CSRF token stops reply emails."""
    cid = _comment("Tell me about replies", notify=True)
    store = state.get_state().engine.store
    assert True is store.get_comment(cid).notify_replies
    link = links.unsubscribe_link(cid)
    assert link.startswith("/comments/unsubscribe/")
    mail_client = Client(enforce_csrf_checks=True)
    assert 200 == mail_client.get(link).status_code
    assert True is store.get_comment(cid).notify_replies
    done = mail_client.post(link, {"List-Unsubscribe": "One-Click"})
    assert 200 == done.status_code
    assert False is store.get_comment(cid).notify_replies
    assert 200 == mail_client.post(link, {"List-Unsubscribe": "One-Click"}).status_code
    assert 422 == mail_client.post(link[:-3] + "AAA").status_code


def test_links_are_absolute_with_a_request() -> None:
    """With the request, a link is an absolute URL on its host (what an email needs)."""
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    assert re.fullmatch(
        r"http://localhost/comments/moderate/[\w.-]+", links.moderation_link(1, "spam", request)
    )
    assert re.fullmatch(
        r"http://localhost/comments/unsubscribe/[\w.-]+", links.unsubscribe_link(1, request)
    )
