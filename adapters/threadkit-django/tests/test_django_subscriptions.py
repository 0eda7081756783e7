"""'Notify me of new comments on this post' through Django: the form box and the one-click page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_forms import form_fields
from threadkit_django import state
from threadkit_web.unsubscribe import thread_unsubscribe_token

from threadkit.subscriptions import PENDING_WINDOW, SubscriptionStore

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_state")]


def _store() -> SubscriptionStore:
    store = state.get_state().engine.store
    assert isinstance(store, SubscriptionStore)
    return store


def test_form_box_subscribes_and_the_emailed_link_unsubscribes() -> None:
    """notify_thread=on subscribes; the link's GET asks, its one-click POST ends it (no CSRF)."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/posts/hello/").content.decode()
    assert 'name="notify_thread" type="checkbox" value="on">' in page
    fields = dict(
        form_fields(page), name="Ada", email="Ada@example.org", body="Hi", notify_thread="on"
    )
    assert 303 == client.post("/comments/threads/hello/comments", fields).status_code
    [pending] = _store().subscriptions_of(email="ada@example.org")
    assert ("hello", False) == (pending.thread_key, pending.confirmed)
    [sub] = [_store().confirm_subscription(pending.id)]
    assert sub is not None
    link = "/comments/unsubscribe/" + thread_unsubscribe_token(state.get_state().web, sub.id)
    mail = Client(enforce_csrf_checks=True)
    asked = mail.get(link)
    assert 200 == asked.status_code
    assert "Stop emails about new comments?" in asked.content.decode()
    assert [sub] == _store().thread_subscriptions("hello")
    done = mail.post(link, {"List-Unsubscribe": "One-Click"})
    assert 200 == done.status_code
    expected = 'You will no longer get emails about new comments on "Post hello".'
    assert expected in done.content.decode()
    assert [] == _store().thread_subscriptions("hello")


def test_form_box_without_an_email_is_refused_at_the_email_field() -> None:
    """The form comes back (422) and nothing is subscribed."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/posts/hello/").content.decode()
    fields = dict(form_fields(page), name="Ada", body="keep me", notify_thread="on")
    failed = client.post("/comments/threads/hello/comments", fields)
    assert 422 == failed.status_code
    assert "keep me</textarea>" in failed.content.decode()
    assert [] == _store().thread_subscriptions("hello")


def test_the_emailed_confirmation_link_asks_then_a_csrf_checked_post_confirms() -> None:
    """Anonymous Ada is pending; the link's GET asks (Polish), POST needs CSRF, then confirms."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/posts/hello/").content.decode()
    fields = dict(form_fields(page), name="Ada", email="ada@example.org", body="Hi")
    client.post("/comments/threads/hello/comments", {**fields, "notify_thread": "on"})
    [pending] = _store().subscriptions_of(email="ada@example.org")
    web = state.get_state().web
    token = web.signer.dumps(
        "subscribe", {"subscription_id": pending.id}, now=web.clock.now(), ttl=PENDING_WINDOW
    )
    link = f"/comments/subscribe/{token}"
    mail = Client(enforce_csrf_checks=True)
    asked = mail.get(link, HTTP_ACCEPT_LANGUAGE="pl")
    html = asked.content.decode()
    assert (200, []) == (asked.status_code, _store().thread_subscriptions("hello"))
    assert "Potwierdź swoją subskrypcję" in html
    assert 403 == mail.post(link, {}).status_code
    assert [] == _store().thread_subscriptions("hello")
    csrf = {"csrf_token": re.findall(r'name="csrf_token" value="([^"]+)"', html)[0]}
    done = mail.post(link, csrf)
    assert 200 == done.status_code
    assert 'You will get an email about every new comment on "Post hello".' in done.content.decode()
    assert ["ada@example.org"] == [s.email for s in _store().thread_subscriptions("hello")]
    again = mail.post(link, csrf)
    assert 200 == again.status_code
    assert 1 == len(_store().thread_subscriptions("hello"))


def test_a_logged_in_django_user_is_subscribed_at_once(django_user_model: Any) -> None:
    """Django vouches for its users' addresses: no confirmation, the subscription is active."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_user("ada", "Ada@example.org", "pw"))
    page = client.get("/posts/hello/").content.decode()
    fields = dict(form_fields(page), body="Hi", notify_thread="on")
    assert 303 == client.post("/comments/threads/hello/comments", fields).status_code
    [sub] = _store().thread_subscriptions("hello")
    assert ("ada@example.org", True) == (sub.email, sub.confirmed)
