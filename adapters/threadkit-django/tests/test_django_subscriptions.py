"""'Notify me of new comments on this post' through Django: the form box and the one-click page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from threadkit_django import state
from threadkit_web.unsubscribe import thread_unsubscribe_token

from threadkit.subscriptions import SubscriptionStore

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    state.reset_state()
    yield
    state.reset_state()


def _form(page: str) -> dict[str, str]:
    """The hidden fields of the first comment form on ``page``."""
    form = page[page.index('class="tk-form"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))


def _store() -> SubscriptionStore:
    store = state.get_state().engine.store
    assert isinstance(store, SubscriptionStore)
    return store


def test_form_box_subscribes_and_the_emailed_link_unsubscribes() -> None:
    """notify_thread=on subscribes; the link's GET asks, its one-click POST ends it (no CSRF)."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/posts/hello/").content.decode()
    assert 'name="notify_thread" type="checkbox" value="on">' in page
    fields = dict(_form(page), name="Ada", email="Ada@example.org", body="Hi", notify_thread="on")
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
    expected = "You will no longer get emails about new comments on \"Post hello\"."
    assert expected in done.content.decode()
    assert [] == _store().thread_subscriptions("hello")


def test_form_box_without_an_email_is_refused_at_the_email_field() -> None:
    """The form comes back (422) and nothing is subscribed."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/posts/hello/").content.decode()
    fields = dict(_form(page), name="Ada", body="keep me", notify_thread="on")
    failed = client.post("/comments/threads/hello/comments", fields)
    assert 422 == failed.status_code
    assert "keep me</textarea>" in failed.content.decode()
    assert [] == _store().thread_subscriptions("hello")
