"""A commenter's data in the Flask adapter: moderator API and form, emailed self-service link."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from threadkit_flask.testing import free_port
from tkflask_support import create_app, form_token, new_comment, post_json

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.models import Status


class _Sink:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


class _SmtpMailer:
    """Sends through the local sink with smtplib (what threadkit_notify.SmtpMailer does)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as smtp:
            smtp.send_message(message)


@pytest.fixture
def sink() -> Iterator[tuple[_Sink, int]]:
    """An SMTP server on 127.0.0.1 that keeps what it receives."""
    handler = _Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def app(engine: CommentEngine, sink: tuple[_Sink, int]) -> Flask:
    """The test app with a mailer pointed at the sink."""
    return create_app(
        engine,
        config={
            "THREADKIT_MAILER": _SmtpMailer(sink[1]),
            "THREADKIT_MAIL_FROM": "Blog <blog@example.org>",
        },
    )


def _anonymous_thread(client: FlaskClient) -> dict[str, Any]:
    """Ada (anonymous, with email) posts, Bob replies; Ada also posts a leaf."""
    ada = new_comment(client, body="Ada's first", email="ada@example.org")
    with client.application.test_client() as bob:
        new_comment(bob, body="Bob replies", name="Bob", parent_id=ada["id"])
    new_comment(client, body="Ada's leaf", email="Ada@Example.org")
    return ada


def test_moderator_api_exports_by_email(client: FlaskClient, store: MemoryStore) -> None:
    """GET /api/personal-data?email= returns every comment written with that email."""
    _anonymous_thread(client)
    client.get("/login/mod")
    response = client.get("/comments/api/personal-data?email=ADA@example.org")
    assert 200 == response.status_code
    bodies = [c["body_source"] for c in response.get_json()["comments"]]
    assert ["Ada's first", "Ada's leaf"] == bodies


def test_moderator_api_refuses_others_and_bad_emails(client: FlaskClient) -> None:
    """Non-moderators get 401/403 problems; a bad email gets 422 naming the field."""
    assert 401 == client.get("/comments/api/personal-data?email=a@example.org").status_code
    client.get("/login/someone")
    assert 403 == client.get("/comments/api/personal-data?email=a@example.org").status_code
    client.get("/login/mod")
    bad = client.get("/comments/api/personal-data?email=not-an-email")
    assert (422, "email") == (bad.status_code, bad.get_json()["field"])


def test_moderator_api_erase_keeps_thread_readable(client: FlaskClient, store: MemoryStore) -> None:
    """Erasing leaves a placeholder where Bob's reply hangs; the count drops to Bob's one."""
    _anonymous_thread(client)
    client.get("/login/mod")
    response = post_json(client, "/api/personal-data/erase", {"email": "ada@example.org"})
    assert {"email": "ada@example.org", "erased": 2} == response.get_json()
    comments = list(store.iter_thread("post-1"))
    assert [(Status.DELETED, ""), (Status.APPROVED, "Bob replies")] == [
        (c.status, c.body_source) for c in comments
    ]
    thread = store.get_thread("post-1")
    assert thread is not None
    assert 1 == thread.comment_count


def test_moderator_api_erase_needs_csrf(client: FlaskClient) -> None:
    """The erase call without the CSRF header is refused with 403."""
    client.get("/login/mod")
    response = client.post("/comments/api/personal-data/erase", json={"email": "a@example.org"})
    assert 403 == response.status_code


def test_queue_page_form_downloads_and_erases(client: FlaskClient, store: MemoryStore) -> None:
    """The form on the queue page downloads JSON, then erases."""
    _anonymous_thread(client)
    client.get("/login/mod")
    page = client.get("/comments/moderation").get_data(as_text=True)
    assert "Erase their data" in page
    token = form_token(page)
    download = client.post(
        "/comments/moderation/personal-data",
        data={"csrf_token": token, "email": "ada@example.org", "action": "export"},
    )
    assert "attachment" in download.headers["Content-Disposition"]
    assert 2 == len(download.get_json()["comments"])
    erased = client.post(
        "/comments/moderation/personal-data",
        data={"csrf_token": token, "email": "ada@example.org", "action": "erase"},
    )
    assert "Comments erased: 2 (written with ada@example.org)" in erased.get_data(as_text=True)
    assert [] == store.comments_by_email("ada@example.org")


def _link(sink: _Sink) -> str:
    (message,) = sink.messages
    body = message.get_content()
    assert isinstance(body, str)
    found = re.search(r"http://localhost(/comments/my-data/\S+)", body)
    assert found is not None
    return found.group(1)


def test_self_service_link_shows_downloads_and_erases(
    client: FlaskClient, store: MemoryStore, sink: tuple[_Sink, int]
) -> None:
    """Ask by email, follow the mailed link, download, then erase (POST + CSRF)."""
    _anonymous_thread(client)
    with client.application.test_client() as visitor:
        form = visitor.get("/comments/my-data").get_data(as_text=True)
        sent = visitor.post(
            "/comments/my-data", data={"csrf_token": form_token(form), "email": "ada@example.org"}
        )
        assert "Check your email" in sent.get_data(as_text=True)
        assert "ada@example.org" == sink[0].messages[0]["To"]
        page = visitor.get(_link(sink[0])).get_data(as_text=True)
        assert "Ada's first" in page
        assert "Ada's leaf" in page
        token = form_token(page)
        download = visitor.post(_link(sink[0]), data={"csrf_token": token, "action": "download"})
        assert 2 == len(download.get_json()["comments"])
        refused = visitor.post(_link(sink[0]), data={"action": "erase"})
        assert 403 == refused.status_code
        assert 2 == len(store.comments_by_email("ada@example.org"))
        erased = visitor.post(_link(sink[0]), data={"csrf_token": token, "action": "erase"})
        assert "Comments erased: 2 (written with ada@example.org)" in erased.get_data(as_text=True)
    assert [] == store.comments_by_email("ada@example.org")


def test_self_service_unknown_email_gets_the_same_answer_and_no_mail(
    client: FlaskClient, sink: tuple[_Sink, int]
) -> None:
    """An address with no comments gets the same page, and nothing is sent."""
    form = client.get("/comments/my-data").get_data(as_text=True)
    sent = client.post(
        "/comments/my-data", data={"csrf_token": form_token(form), "email": "who@example.org"}
    )
    assert "Check your email" in sent.get_data(as_text=True)
    assert [] == sink[0].messages


def test_self_service_link_expires(
    client: FlaskClient, clock: ManualClock, sink: tuple[_Sink, int]
) -> None:
    """After THREADKIT_DATA_LINK_TTL (one hour) the link answers 422 expired_token."""
    _anonymous_thread(client)
    form = client.get("/comments/my-data").get_data(as_text=True)
    client.post(
        "/comments/my-data", data={"csrf_token": form_token(form), "email": "ada@example.org"}
    )
    clock.advance(seconds=3601)
    response = client.get(_link(sink[0]))
    assert 422 == response.status_code
    assert "expired" in response.get_data(as_text=True)


def test_the_self_service_pages_speak_the_readers_language(
    client: FlaskClient, sink: tuple[_Sink, int]
) -> None:
    """A German reader asks, is mailed and is shown the list in German."""
    _anonymous_thread(client)
    german = {"Accept-Language": "de"}
    with client.application.test_client() as visitor:
        form = visitor.get("/comments/my-data", headers=german).get_data(as_text=True)
        sent = visitor.post(
            "/comments/my-data",
            data={"csrf_token": form_token(form), "email": "ada@example.org"},
            headers=german,
        ).get_data(as_text=True)
        shown = visitor.get(_link(sink[0]), headers=german).get_data(as_text=True)
    assert ("<title>Ihre Kommentare</title>", "Link zusenden") == (
        re.search(r"<title>[^<]*</title>", form)[0],  # type: ignore[index]
        re.search(r'<button type="submit">([^<]+)</button>', form)[1],  # type: ignore[index]
    )
    assert "Falls ein Kommentar mit ada@example.org geschrieben wurde" in sent
    mail = sink[0].messages[0]
    assert ("Ihre Kommentare: herunterladen oder löschen", True) == (
        mail["Subject"],
        "(er gilt 60 Min.):" in mail.get_content(),
    )
    assert ("Kommentare: 2", 2) == (
        re.search(r"Kommentare: \d+", shown)[0],  # type: ignore[index]
        shown.count("(freigegeben)"),
    )
