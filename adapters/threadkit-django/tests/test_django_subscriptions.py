"""'Notify me of new comments on this post' through Django: the form box and the one-click page."""

from __future__ import annotations

import pytest
from django.test import Client
from django_forms import form_fields
from threadkit_django import state
from threadkit_web.unsubscribe import thread_unsubscribe_token

from threadkit.subscriptions import SubscriptionStore

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
    [sub] = _store().thread_subscriptions("hello")
    assert "ada@example.org" == sub.email
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
