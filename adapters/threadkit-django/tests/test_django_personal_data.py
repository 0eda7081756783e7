"""A commenter's data on Django: moderators export and erase it; the mailed self-service link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client, override_settings
from threadkit_django import get_state, reset_state

from threadkit.clock import ManualClock
from threadkit.engine import CommentEngine
from threadkit.memory import MemoryStore
from threadkit.models import Identity, Status, Submission

pytestmark = pytest.mark.django_db


class Outbox:
    """A mailer (``send(EmailMessage)``) that keeps what it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.messages.append(message)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture(autouse=True)
def _site(clock: ManualClock, outbox: Outbox) -> Iterator[None]:
    """A memory store whose engine reads ``clock``; links are mailed to ``outbox``."""

    def engine(store: Any) -> CommentEngine:
        return CommentEngine(store, clock=clock)

    with override_settings(
        THREADKIT={"STORE": "threadkit.memory:MemoryStore", "ENGINE": engine},
        THREADKIT_MAILER=outbox,
        THREADKIT_MAIL_FROM="comments@blog.example.org",
    ):
        reset_state()
        yield
        reset_state()


def assert_says_erased(html: str, count: int, email: str) -> None:
    """The page's status line tells how many comments of ``email`` were erased."""
    status = re.search(r'role="status">([^<]*)<', html)
    assert status is not None, html
    assert re.search(rf"\b{count}\b", status.group(1)), status.group(1)
    assert email in status.group(1)


def _store() -> MemoryStore:
    store = get_state().store
    assert isinstance(store, MemoryStore)
    return store


def _ada_and_bob() -> None:
    """Ada posts twice (Bob replies to her first comment) on post-1."""
    engine = get_state().engine
    ada = Identity("anonymous", "ada-browser", "Ada", email="ada@example.org")
    bob = Identity("anonymous", "bob-browser", "Bob", email="bob@example.org")
    first = engine.post("post-1", Submission("Ada's first"), ada, url="/posts/post-1/")
    engine.post("post-1", Submission("Bob replies", parent_id=first.id), bob)
    engine.post("post-1", Submission("Ada's leaf"), ada)


def _client(user: Any = None) -> tuple[Client, dict[str, str], str]:
    """A CSRF-enforcing client (logged in as ``user``), its CSRF header and form token."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    me = client.get("/comments/api/me").json()
    return client, {me["csrf_header"]: me["csrf_token"]}, me["csrf_token"]


@pytest.fixture
def boss(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("boss", "", "pw", is_staff=True)


def test_moderator_exports_everything_written_with_an_email(boss: Any) -> None:
    """GET api/personal-data?email= (any case) is a JSON download of that address's comments."""
    _ada_and_bob()
    client, _, _ = _client(boss)
    response = client.get("/comments/api/personal-data?email=ADA@example.org")
    assert 200 == response.status_code
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" == response["Cache-Control"]
    assert ["Ada's first", "Ada's leaf"] == [c["body_source"] for c in response.json()["comments"]]


def test_only_moderators_export_and_a_bad_email_names_its_field(
    boss: Any, django_user_model: Any
) -> None:
    """Nobody logged in: 401; a user who does not moderate: 403; a bad address: 422 ``email``."""
    _ada_and_bob()
    url = "/comments/api/personal-data?email=ada@example.org"
    nobody, _, _ = _client()
    assert (401, "login_required") == (nobody.get(url).status_code, nobody.get(url).json()["code"])
    eve = django_user_model.objects.create_user("eve", "", "pw")
    user, _, _ = _client(eve)
    refused = user.get(url)
    assert (403, "not_moderator") == (refused.status_code, refused.json()["code"])
    moderator, _, _ = _client(boss)
    bad = moderator.get("/comments/api/personal-data?email=not-an-email")
    assert (422, "email") == (bad.status_code, bad.json()["field"])


def test_moderator_erase_keeps_the_thread_readable(boss: Any) -> None:
    """Erasing leaves a placeholder where Bob's reply hangs; the count drops to Bob's one."""
    _ada_and_bob()
    client, headers, _ = _client(boss)
    response = client.post(
        "/comments/api/personal-data/erase",
        {"email": "ada@example.org"},
        content_type="application/json",
        headers=headers,
    )
    assert {"email": "ada@example.org", "erased": 2} == response.json()
    comments = list(_store().iter_thread("post-1"))
    assert [(Status.DELETED, ""), (Status.APPROVED, "Bob replies")] == [
        (c.status, c.body_source) for c in comments
    ]
    thread = _store().get_thread("post-1")
    assert thread is not None
    assert 1 == thread.comment_count


def test_erase_needs_the_csrf_header_and_a_moderator(boss: Any, django_user_model: Any) -> None:
    """Without the CSRF header a moderator is refused (403 csrf_failed); so is a plain user."""
    _ada_and_bob()
    client, _, _ = _client(boss)
    body = {"email": "ada@example.org"}
    refused = client.post("/comments/api/personal-data/erase", body, "application/json")
    assert (403, "csrf_failed") == (refused.status_code, refused.json()["code"])
    user, headers, _ = _client(django_user_model.objects.create_user("eve", "", "pw"))
    denied = user.post(
        "/comments/api/personal-data/erase", body, "application/json", headers=headers
    )
    assert (403, "not_moderator") == (denied.status_code, denied.json()["code"])
    assert 2 == len(_store().comments_by_email("ada@example.org"))


def test_queue_page_form_downloads_then_erases_with_csrf(boss: Any) -> None:
    """The queue's form: export downloads, erase erases; without the token nothing happens."""
    _ada_and_bob()
    client, _, token = _client(boss)
    assert "Erase their data" in client.get("/comments/moderation").content.decode()
    url = "/comments/moderation/personal-data"
    forged = client.post(url, {"email": "ada@example.org", "action": "erase"})
    assert 403 == forged.status_code
    assert 2 == len(_store().comments_by_email("ada@example.org"))
    download = client.post(
        url, {"csrf_token": token, "email": "ada@example.org", "action": "export"}
    )
    assert "attachment" in download["Content-Disposition"]
    assert 2 == len(download.json()["comments"])
    odd = client.post(url, {"csrf_token": token, "email": "ada@example.org", "action": "burn"})
    assert 422 == odd.status_code
    assert "export" in odd.content.decode()
    erased = client.post(url, {"csrf_token": token, "email": "ada@example.org", "action": "erase"})
    assert_says_erased(erased.content.decode(), 2, "ada@example.org")
    assert [] == _store().comments_by_email("ada@example.org")


def test_queue_page_form_refuses_a_user_who_does_not_moderate(django_user_model: Any) -> None:
    """A logged-in user without the permission gets a 403 page and nothing is erased."""
    _ada_and_bob()
    client, _, token = _client(django_user_model.objects.create_user("eve", "", "pw"))
    refused = client.post(
        "/comments/moderation/personal-data",
        {"csrf_token": token, "email": "ada@example.org", "action": "erase"},
    )
    assert 403 == refused.status_code
    assert 2 == len(_store().comments_by_email("ada@example.org"))


def _ask(client: Client, token: str, email: str) -> str:
    assert 200 == client.get("/comments/my-data").status_code
    sent = client.post("/comments/my-data", {"csrf_token": token, "email": email})
    assert 200 == sent.status_code
    return sent.content.decode()


def _mailed_link(outbox: Outbox) -> str:
    (message,) = outbox.messages
    body = message.get_content()
    found = re.search(r"http://testserver(/comments/my-data/\S+)", body)
    assert found is not None, body
    return found.group(1)


def test_mailed_link_shows_downloads_and_erases(outbox: Outbox) -> None:
    """Ask by email, follow the signed link, download, then erase (each POST with CSRF)."""
    _ada_and_bob()
    client, _, token = _client()
    assert "ada@example.org" in _ask(client, token, "ada@example.org")
    assert ("ada@example.org", "comments@blog.example.org") == (
        outbox.messages[0]["To"],
        outbox.messages[0]["From"],
    )
    link = _mailed_link(outbox)
    page = client.get(link).content.decode()
    assert "Ada's first" in page
    assert "Ada's leaf" in page
    assert "Bob replies" not in page
    download = client.post(link, {"csrf_token": token, "action": "download"})
    assert 2 == len(download.json()["comments"])
    assert 403 == client.post(link, {"action": "erase"}).status_code
    assert 2 == len(_store().comments_by_email("ada@example.org"))
    erased = client.post(link, {"csrf_token": token, "action": "erase"})
    assert_says_erased(erased.content.decode(), 2, "ada@example.org")
    assert [] == _store().comments_by_email("ada@example.org")


def test_unknown_address_gets_the_same_answer_and_no_mail(outbox: Outbox) -> None:
    """Whether an address wrote anything does not show; nothing is sent for a stranger."""
    _ada_and_bob()
    client, _, token = _client()
    known = _ask(client, token, "ada@example.org").replace("ada@example.org", "X")
    strange = _ask(client, token, "who@example.org").replace("who@example.org", "X")
    assert known == strange
    assert 1 == len(outbox.messages)


def test_asking_needs_the_csrf_token(outbox: Outbox) -> None:
    """A POST without the form's token is refused and mails nothing."""
    _ada_and_bob()
    client, _, _ = _client()
    assert 403 == client.post("/comments/my-data", {"email": "ada@example.org"}).status_code
    assert [] == outbox.messages


def test_a_tampered_link_is_refused(outbox: Outbox) -> None:
    """Change one character of the signed token: 422, nothing shown."""
    _ada_and_bob()
    client, _, token = _client()
    _ask(client, token, "ada@example.org")
    link = _mailed_link(outbox)
    last = link[-1]
    tampered = link[:-1] + ("A" if last != "A" else "B")
    refused = client.get(tampered)
    assert 422 == refused.status_code
    assert "Ada's first" not in refused.content.decode()
    erase = client.post(tampered, {"csrf_token": token, "action": "erase"})
    assert 422 == erase.status_code
    assert 2 == len(_store().comments_by_email("ada@example.org"))


def test_the_link_expires_after_its_ttl(outbox: Outbox, clock: ManualClock) -> None:
    """An hour later (THREADKIT_DATA_LINK_TTL) the link is a 422 that says it expired."""
    _ada_and_bob()
    client, _, token = _client()
    _ask(client, token, "ada@example.org")
    link = _mailed_link(outbox)
    clock.advance(minutes=59)
    assert 200 == client.get(link).status_code
    clock.advance(minutes=2)
    expired = client.get(link)
    assert 422 == expired.status_code
    assert "expired" in expired.content.decode().lower()


def test_a_shorter_ttl_is_said_in_the_mail(outbox: Outbox) -> None:
    """THREADKIT_DATA_LINK_TTL is read from Django's settings and the mail says it."""
    with override_settings(THREADKIT_DATA_LINK_TTL=timedelta(minutes=15)):  # a new state
        _ada_and_bob()
        client, _, token = _client()
        _ask(client, token, "ada@example.org")
    assert "(it works for 15 min)" in outbox.messages[0].get_content()


def test_without_a_mailer_the_page_says_to_ask_the_owner() -> None:
    """No THREADKIT_MAILER: a 404 page that says how else to get the data."""
    with override_settings(THREADKIT_MAILER=None):
        missing = Client().get("/comments/my-data")
    assert 404 == missing.status_code
    assert "ask the site" in missing.content.decode()


def test_with_any_host_allowed_no_link_is_mailed_without_a_base_url(outbox: Outbox) -> None:
    """ALLOWED_HOSTS ["*"] and no THREADKIT_BASE_URL: a 500 naming the setting, no mail.

    Else a client could send Host: evil.example and have the victim mailed a valid
    link to a host the client owns.
    """
    _ada_and_bob()
    client, _, token = _client()
    with override_settings(ALLOWED_HOSTS=["*"]):
        refused = client.post(
            "/comments/my-data",
            {"csrf_token": token, "email": "ada@example.org"},
            headers={"Host": "evil.example"},
        )
    assert 500 == refused.status_code
    assert "THREADKIT_BASE_URL" in refused.content.decode()
    assert [] == outbox.messages
