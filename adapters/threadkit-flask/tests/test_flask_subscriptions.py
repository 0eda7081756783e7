"""'Notify me of new comments on this post': the form, the JSON API and the one-click page."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from threadkit_notify import Links
from tkflask_support import form_token, post_json

from threadkit.memory import MemoryStore
from threadkit.signing import TokenSigner

# What a "new comment" email links to: the same secret as the app (tkflask_support).
LINKS = Links(TokenSigner("test secret"), "http://localhost/comments")


def _emails(store: MemoryStore, thread: str = "post-1") -> list[str]:
    return [s.email for s in store.thread_subscriptions(thread)]


def _states(store: MemoryStore, *emails: str) -> list[tuple[str, bool]]:
    """Each address's subscriptions, pending or confirmed: (email, confirmed)."""
    return [(s.email, s.confirmed) for e in emails for s in store.subscriptions_of(email=e)]


def _post_ada(client: FlaskClient, store: MemoryStore) -> int:
    """Post as anonymous Ada asking for thread emails; return her pending subscription's id."""
    posted = post_json(
        client,
        "/api/threads/post-1/comments",
        {"body": "Hi", "name": "Ada", "email": "ada@example.org", "notify_thread": True},
    )
    pending = store.comment_subscription(posted.get_json()["id"])
    assert pending is not None
    return pending.id


def _subscribe_ada(client: FlaskClient, store: MemoryStore) -> str:
    """Subscribe Ada to post-1 (posted, then confirmed); return her emailed unsubscribe path."""
    subscription_id = _post_ada(client, store)
    store.confirm_subscription(subscription_id)
    return LINKS.unsubscribe_thread(subscription_id).removeprefix("http://localhost")


def test_the_form_offers_the_box_unticked(client: FlaskClient) -> None:
    """The no-JS form has the opt-in checkbox, off by default, beside the reply one."""
    html = client.get("/posts/post-1").get_data(as_text=True)
    assert '<input id="notify-thread-tk1" name="notify_thread" type="checkbox" value="on">' in html
    assert "Notify me of new comments on this post</label>" in html


def test_form_post_with_the_box_subscribes(client: FlaskClient, store: MemoryStore) -> None:
    """notify_thread=on with an email subscribes that address to the thread."""
    token = form_token(client.get("/posts/post-1").get_data(as_text=True))
    data = {"csrf_token": token, "body": "Hi", "name": "Ada", "email": "Ada@Example.org"}
    response = client.post(
        "/comments/threads/post-1/comments", data={**data, "notify_thread": "on"}
    )
    assert 303 == response.status_code
    assert [("ada@example.org", False)] == _states(store, "ada@example.org")


def test_form_post_with_the_box_but_no_email_says_what_to_fix(
    client: FlaskClient, store: MemoryStore
) -> None:
    """Without an email the form comes back (422) at the email field; nothing is stored."""
    token = form_token(client.get("/posts/post-1").get_data(as_text=True))
    data = {"csrf_token": token, "body": "keep me", "name": "Ada", "notify_thread": "on"}
    response = client.post("/comments/threads/post-1/comments", data=data)
    html = response.get_data(as_text=True)
    assert 422 == response.status_code
    assert "keep me</textarea>" in html
    email_input = re.search(r'<input id="email-tk1"[^>]*>', html)
    assert email_input is not None
    assert 'aria-invalid="true"' in email_input[0]
    assert ([], None) == (_emails(store), store.get_thread("post-1"))


def test_json_comment_and_reply_take_notify_thread(client: FlaskClient, store: MemoryStore) -> None:
    """JSON ``notify_thread: true`` works on a comment and a reply; other types are refused."""
    first = post_json(
        client,
        "/api/threads/post-1/comments",
        {"body": "Hi", "name": "Ada", "email": "ada@example.org", "notify_thread": True},
    )
    assert 201 == first.status_code
    reply = post_json(
        client,
        f"/api/comments/{first.get_json()['id']}/replies",
        {"body": "Re", "name": "Bo", "email": "bo@example.org", "notify_thread": True},
    )
    assert 201 == reply.status_code
    pending = [("ada@example.org", False), ("bo@example.org", False)]
    assert pending == _states(store, "ada@example.org", "bo@example.org")
    wrong = post_json(
        client, "/api/threads/post-1/comments", {"body": "x", "name": "C", "notify_thread": "yes"}
    )
    no_email = post_json(
        client, "/api/threads/post-1/comments", {"body": "x", "name": "C", "notify_thread": True}
    )
    assert (422, "notify_thread", 422, "required", "email") == (
        wrong.status_code, wrong.get_json()["field"],
        no_email.status_code, no_email.get_json()["code"], no_email.get_json()["field"],
    )  # fmt: skip


def test_email_link_confirms_then_one_click_post_unsubscribes(
    client: FlaskClient, app: Flask, store: MemoryStore
) -> None:
    """GET only asks; the RFC 8058 POST (no CSRF) ends it; again is harmless; in German."""
    link = _subscribe_ada(client, store)
    mail = app.test_client()
    german = {"Accept-Language": "de"}
    shown = mail.get(link, headers=german)
    assert 200 == shown.status_code
    assert "Keine E-Mails mehr über neue Kommentare?" in shown.get_data(as_text=True)
    assert ["ada@example.org"] == _emails(store)
    done = mail.post(link, data={"List-Unsubscribe": "One-Click"}, headers=german)
    assert 200 == done.status_code
    expected = "Sie erhalten keine E-Mails mehr über neue Kommentare zu „post-1“."
    assert expected in done.get_data(as_text=True)
    assert [] == _emails(store)
    again = mail.post(link, data={"List-Unsubscribe": "One-Click"})
    assert 200 == again.status_code
    assert "You will no longer get emails about new comments" in again.get_data(as_text=True)


def test_a_tampered_unsubscribe_link_is_refused(client: FlaskClient, store: MemoryStore) -> None:
    """A link whose signature does not check out changes nothing (422)."""
    link = _subscribe_ada(client, store)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert 422 == client.post(tampered, data={"List-Unsubscribe": "One-Click"}).status_code
    assert ["ada@example.org"] == _emails(store)


def test_the_confirmation_link_asks_then_a_csrf_checked_post_confirms(
    client: FlaskClient, store: MemoryStore
) -> None:
    """GET asks (in German) and changes nothing; POST without CSRF is refused; with it, done."""
    subscription_id = _post_ada(client, store)
    link = LINKS.confirm_thread(subscription_id).removeprefix("http://localhost")
    german = {"Accept-Language": "de"}
    shown = client.get(link, headers=german)
    html = shown.get_data(as_text=True)
    assert (200, []) == (shown.status_code, _emails(store))
    assert "Abonnement bestätigen" in html
    assert 403 == client.post(link, data={}).status_code
    assert [] == _emails(store)
    done = client.post(link, data={"csrf_token": form_token(html)}, headers=german)
    assert 200 == done.status_code
    assert "Sie erhalten eine E-Mail zu jedem neuen Kommentar" in done.get_data(as_text=True)
    assert ["ada@example.org"] == _emails(store)
    again = client.post(link, data={"csrf_token": form_token(html)})
    assert (200, ["ada@example.org"]) == (again.status_code, _emails(store))


def test_a_confirmation_link_for_an_ended_subscription_says_so(
    client: FlaskClient, store: MemoryStore
) -> None:
    """Unsubscribed (or erased) before confirming: the page says it ended; a bad link is 422."""
    subscription_id = _post_ada(client, store)
    link = LINKS.confirm_thread(subscription_id).removeprefix("http://localhost")
    store.remove_subscription(subscription_id)
    shown = client.get(link)
    assert 200 == shown.status_code
    assert "This subscription has ended." in shown.get_data(as_text=True)
    assert 422 == client.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")).status_code
