"""The JSON API on Django: the shared handlers' answers, CSRF on writes, moderation, OpenAPI."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings
from threadkit_django import get_state, reset_state
from threadkit_web import openapi

pytestmark = pytest.mark.django_db

HOLD_ALL = {"STORE": "threadkit.memory:MemoryStore", "ENGINE": "tkdjango_site.engines:holding"}


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    reset_state()
    yield
    reset_state()


def _session(client: Client) -> tuple[dict[str, str], str]:
    """The CSRF header to send, and the thread token of /posts/hello/ (a rendered thread)."""
    page = client.get("/posts/hello/").content.decode()
    meta = re.search(r'name="thread_meta" value="([^"]+)"', page)
    assert meta is not None
    me = client.get("/comments/api/me").json()
    return {me["csrf_header"]: me["csrf_token"]}, meta.group(1)


def _post(client: Client, headers: dict[str, str], meta: str, body: str, **extra: Any) -> Any:
    payload = {"body": body, "name": "Ada", "thread_meta": meta, **extra}
    return client.post("/comments/api/threads/hello/comments", payload,
                       content_type="application/json", headers=headers)


def test_author_edits_and_deletes_through_the_api() -> None:
    """PATCH and DELETE work for the author's browser and are refused to another one."""
    ada = Client(enforce_csrf_checks=True)
    headers, meta = _session(ada)
    made = _post(ada, headers, meta, "first words").json()
    url = f"/comments/api/comments/{made['id']}"
    edited = ada.patch(url, {"body": "better words"}, content_type="application/json",
                       headers=headers)
    assert 200 == edited.status_code
    assert "<p>better words</p>" == edited.json()["body_html"].strip()
    eve = Client(enforce_csrf_checks=True)
    eve_headers, _ = _session(eve)
    _post(eve, eve_headers, meta, "eve was here")  # now her browser is a known author
    refused = eve.delete(url, headers=eve_headers)
    assert (403, "not_author") == (refused.status_code, refused.json()["code"])
    gone = ada.delete(url, headers=headers)
    assert 200 == gone.status_code
    assert 404 == ada.get(url).status_code


def test_reply_through_the_api_lands_under_its_parent() -> None:
    """POST .../replies puts the reply in the parent's thread, one level down."""
    client = Client(enforce_csrf_checks=True)
    headers, meta = _session(client)
    parent = _post(client, headers, meta, "parent").json()
    reply = client.post(f"/comments/api/comments/{parent['id']}/replies",
                        {"body": "child", "name": "Bo"}, content_type="application/json",
                        headers=headers)
    assert 201 == reply.status_code
    assert (parent["id"], 1) == (reply.json()["parent_id"], reply.json()["depth"])
    replies = client.get(f"/comments/api/comments/{parent['id']}/replies").json()
    assert ["child"] == [n["body_source"] for n in replies["comments"]]


def test_moderator_decides_through_the_api(django_user_model: Any) -> None:
    """A held comment is in the queue for staff; POST .../moderation approves it."""
    django_user_model.objects.create_user("boss", "", "pw", is_staff=True)
    with override_settings(THREADKIT=HOLD_ALL):
        visitor = Client(enforce_csrf_checks=True)
        headers, meta = _session(visitor)
        held = _post(visitor, headers, meta, "wait for it").json()
        assert "pending" == held["status"]
        refused = visitor.get("/comments/api/moderation/queue")  # an author, not a moderator
        assert 403 == refused.status_code
        boss = Client(enforce_csrf_checks=True)
        boss.login(username="boss", password="pw")
        boss_headers, _ = _session(boss)
        queue = boss.get("/comments/api/moderation/queue").json()
        assert [held["id"]] == [c["id"] for c in queue["comments"]]
        assert queue["comments"][0]["reasons"]
        done = boss.post(f"/comments/api/comments/{held['id']}/moderation",
                         {"decision": "approve"}, content_type="application/json",
                         headers=boss_headers)
        assert 200 == done.status_code
        assert "approved" == done.json()["comment"]["status"]


def test_problems_say_what_to_fix() -> None:
    """Wrong method, bad JSON and a missing field are problem+json naming what to fix."""
    client = Client(enforce_csrf_checks=True)
    headers, meta = _session(client)
    wrong = client.put("/comments/api/threads/hello", {}, content_type="application/json",
                       headers=headers)
    assert 405 == wrong.status_code
    assert "GET, POST" == wrong["Allow"]
    assert "application/problem+json" in wrong["Content-Type"]
    bad = client.post("/comments/api/threads/hello/comments", "{nope",
                      content_type="application/json", headers=headers)
    assert (400, "application/problem+json; charset=utf-8") == (bad.status_code,
                                                                 bad["Content-Type"])
    made = _post(client, headers, meta, "vote on me").json()
    other = Client(enforce_csrf_checks=True)
    other_headers, _ = _session(other)
    novalue = other.put(f"/comments/api/comments/{made['id']}/vote", {},
                        content_type="application/json", headers=other_headers)
    assert (422, "value") == (novalue.status_code, novalue.json()["field"])


def test_a_cross_site_origin_is_refused_even_with_the_token() -> None:
    """Django's Origin check runs too: a write from another site's page is a 403."""
    client = Client(enforce_csrf_checks=True)
    headers, meta = _session(client)
    forged = _post(client, dict(headers, Origin="https://evil.example"), meta, "hi")
    assert (403, "csrf_failed") == (forged.status_code, forged.json()["code"])


def test_openapi_is_the_shared_document_at_this_prefix() -> None:
    """<prefix>/openapi.json is threadkit_web's document for the prefix and the engine's keys."""
    served = Client().get("/comments/openapi.json")
    assert 200 == served.status_code
    key_length = get_state().engine.policy.max_thread_key_length
    expected = json.loads(
        openapi.document_bytes("/comments", "X-Threadkit-CSRF", max_key_length=key_length)
    )
    assert expected == served.json()
    assert "/comments" == get_state().web.settings.url_prefix


def test_reader_language_from_accept_language() -> None:
    """The thread is rendered in the reader's language (the shared catalogs)."""
    page = Client().get("/posts/hello/", headers={"Accept-Language": "de-DE,de;q=0.9"})
    text = page.content.decode()
    assert 'lang="de"' in text
    assert "Noch keine Kommentare" in text


def test_a_body_over_the_cap_is_refused_before_it_is_read() -> None:
    """A body larger than any comment could need is a 413 problem that names the limit."""
    client = Client(enforce_csrf_checks=True)
    headers, meta = _session(client)
    huge = _post(client, headers, meta, "x" * 2_000_000)
    assert (413, "request_too_large") == (huge.status_code, huge.json()["code"])
    assert "shorten the comment" in huge.json()["detail"]
