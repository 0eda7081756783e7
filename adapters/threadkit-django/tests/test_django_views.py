"""The comment section through Django: the tag, no-JS posts, replies, CSRF, moderation, API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings
from django_forms import form_fields
from threadkit_django import state

from threadkit.models import Status

pytestmark = pytest.mark.django_db

HOLD_ALL = {"STORE": "threadkit.memory:MemoryStore", "ENGINE": "tkdjango_site.engines:holding"}


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    state.reset_state()
    yield
    state.reset_state()


_form = form_fields


def _browser() -> Client:
    return Client(enforce_csrf_checks=True)


def test_tag_renders_thread_and_form_without_js() -> None:
    """{% threadkit_thread %} renders the heading, the form and the assets on a Django page."""
    page = _browser().get("/posts/hello/")
    assert 200 == page.status_code
    text = page.content.decode()
    assert "No comments yet" in text
    assert "Leave a Reply" in text
    assert '/comments/static/threadkit.js' in text
    assert 'data-tk-prefix="/comments"' in text
    assert {"csrf_token", "thread_meta", "idempotency_key"} <= set(_form(text))


def test_anonymous_post_and_reply_without_js() -> None:
    """A form post redirects to the new comment; a reply lands under its parent."""
    client = _browser()
    page = client.get("/posts/hello/").content.decode()
    fields = dict(_form(page), name="Ada", email="ada@example.org", body="First!")
    posted = client.post("/comments/threads/hello/comments", fields)
    assert 303 == posted.status_code
    first = int(posted["Location"].rsplit("#comment-", 1)[1])
    assert posted["Location"].startswith("/posts/hello/")
    page = client.get(f"/posts/hello/?tk_reply={first}").content.decode()
    assert "Reply to Ada" in page
    assert 'value="Ada"' in page  # the form remembers the anonymous commenter
    reply = dict(_form(page), name="Ada", body="Answering myself")
    assert str(first) == reply["parent_id"]
    answered = client.post("/comments/threads/hello/comments", reply)
    assert 303 == answered.status_code
    page = client.get("/posts/hello/").content.decode()
    assert "2 comments on &ldquo;Post hello&rdquo;" in page
    assert f'data-tk-replies="{first}"' in page
    assert "Answering myself" in page


def test_post_without_csrf_token_is_refused_with_a_page() -> None:
    """Django's CSRF check guards the form: a missing token is a 403 page saying what to do."""
    client = _browser()
    fields = _form(client.get("/posts/hello/").content.decode())
    fields.pop("csrf_token")
    refused = client.post("/comments/threads/hello/comments", dict(fields, name="Ada", body="x"))
    assert 403 == refused.status_code
    assert "reload the page" in refused.content.decode()


def test_failed_post_shows_the_form_again_with_the_error() -> None:
    """An empty comment comes back as a 422 page with the typed name kept."""
    client = _browser()
    fields = _form(client.get("/posts/hello/").content.decode())
    failed = client.post("/comments/threads/hello/comments", dict(fields, name="Ada", body=" "))
    assert 422 == failed.status_code
    text = failed.content.decode()
    assert "Your comment was not posted" in text
    assert 'value="Ada"' in text


def test_post_to_a_thread_no_page_rendered_is_404() -> None:
    """Only threads a page rendered take comments (the token is the proof)."""
    client = _browser()
    fields = _form(client.get("/posts/hello/").content.decode())
    refused = client.post("/comments/threads/other/comments", dict(fields, name="A", body="x"))
    assert 404 == refused.status_code


def test_logged_in_user_comments_as_themselves(django_user_model: Any) -> None:
    """request.user is the author: no name fields, the full name on the comment."""
    django_user_model.objects.create_user("grace", "grace@example.org", "pw",
                                          first_name="Grace", last_name="Hopper")
    client = _browser()
    assert client.login(username="grace", password="pw")
    page = client.get("/posts/hello/").content.decode()
    assert "You are commenting as <strong>Grace Hopper</strong>" in page
    assert 'name="email"' not in page
    posted = client.post("/comments/threads/hello/comments", dict(_form(page), body="Hi"))
    assert 303 == posted.status_code
    engine = state.get_state().engine
    [node] = engine.page("hello").nodes
    assert ("django", "Grace Hopper", True) == (
        node.comment.author.provider, node.comment.author.name, node.comment.author.verified
    )


def test_moderation_queue_is_for_moderators_only(django_user_model: Any) -> None:
    """Visitors get 401, users without the permission 403, staff see the queue and decide."""
    django_user_model.objects.create_user("plain", "", "pw")
    django_user_model.objects.create_user("boss", "", "pw", is_staff=True)
    with override_settings(THREADKIT=HOLD_ALL):
        visitor = _browser()
        page = visitor.get("/posts/hello/").content.decode()
        held = visitor.post("/comments/threads/hello/comments",
                            dict(_form(page), name="Eve", body="Buy now"))
        assert 303 == held.status_code
        [comment] = state.get_state().engine.queue(_moderator(), (Status.PENDING,)).comments
        assert 401 == visitor.get("/comments/moderation").status_code
        plain = _browser()
        plain.login(username="plain", password="pw")
        assert 403 == plain.get("/comments/moderation").status_code
        boss = _browser()
        boss.login(username="boss", password="pw")
        queue = boss.get("/comments/moderation")
        assert 200 == queue.status_code
        assert "default-src 'self'" in queue["Content-Security-Policy"]
        assert "nosniff" == queue["X-Content-Type-Options"]
        text = queue.content.decode()
        assert "Buy now" in text
        token = re.search(r'name="csrf_token" value="([^"]+)"', text)
        assert token is not None
        done = boss.post(f"/comments/moderation/{comment.id}",
                         {"csrf_token": token.group(1), "decision": "approve"})
        assert 303 == done.status_code
        assert Status.APPROVED is state.get_state().engine.get_comment(comment.id).status
        assert "Buy now" in _browser().get("/posts/hello/").content.decode()


def _moderator() -> Any:
    from threadkit.models import Actor

    return Actor(moderator=True)


def test_admin_links_to_the_queue(django_user_model: Any) -> None:
    """The Django admin's Moderation queue entry takes a staff user to threadkit's queue."""
    django_user_model.objects.create_user("boss", "", "pw", is_staff=True)
    client = Client()
    client.login(username="boss", password="pw")
    index = client.get("/admin/").content.decode()
    assert "/admin/threadkit/moderationqueue/" in index
    assert "/comments/moderation" == client.get("/admin/threadkit/moderationqueue/")["Location"]


def test_json_api_post_read_and_problems() -> None:
    """The API posts with the CSRF header, reads the same shapes and answers problem+json."""
    client = _browser()
    page = client.get("/posts/hello/").content.decode()
    meta = _form(page)["thread_meta"]
    me = client.get("/comments/api/me").json()
    assert "X-Threadkit-CSRF" == me["csrf_header"]
    headers = {"X-Threadkit-CSRF": me["csrf_token"]}
    body = {"body": "Via *JSON*", "name": "Ada", "thread_meta": meta}
    created = client.post("/comments/api/threads/hello/comments", body,
                          content_type="application/json", headers=headers)
    assert 201 == created.status_code
    comment = created.json()
    assert "<p>Via <em>JSON</em></p>" == comment["body_html"].strip()
    assert f"/comments/api/comments/{comment['id']}" == created["Location"]
    thread = client.get("/comments/api/threads/hello").json()
    assert [comment["id"]] == [n["id"] for n in thread["comments"]]
    no_token = client.post("/comments/api/threads/hello/comments", body,
                           content_type="application/json")
    assert 403 == no_token.status_code
    assert "application/problem+json" in no_token["Content-Type"]
    assert "csrf_failed" == no_token.json()["code"]
    wrong_type = client.post("/comments/api/threads/hello/comments", "body=x",
                             content_type="text/plain", headers=headers)
    assert 415 == wrong_type.status_code
    missing = client.get("/comments/api/comments/999999")
    assert (404, "comment_not_found") == (missing.status_code, missing.json()["code"])
    assert 404 == client.get("/comments/api/nothing/here").status_code
    voted = client.put(f"/comments/api/comments/{comment['id']}/vote", {"value": 1},
                       content_type="application/json", headers=headers)
    assert 403 == voted.status_code  # nobody votes on their own comment
    counts = client.get("/comments/api/counts?thread=hello").json()
    assert {"hello": 1} == counts["counts"]


def test_static_files_are_served_and_contained() -> None:
    """The shared CSS and JS are served by the adapter; nothing outside the folder is."""
    client = Client()
    js = client.get("/comments/static/threadkit.js")
    assert 200 == js.status_code
    assert "javascript" in js["Content-Type"]
    assert 404 == client.get("/comments/static/../__init__.py").status_code


def test_author_edits_and_deletes_without_js() -> None:
    """The author's browser edits and deletes through the form pages; another browser may not."""
    client = _browser()
    page = client.get("/posts/hello/").content.decode()
    posted = client.post("/comments/threads/hello/comments",
                         dict(_form(page), name="Ada", body="Typo hree"))
    cid = int(posted["Location"].rsplit("#comment-", 1)[1])
    edit_page = client.get(f"/comments/comments/{cid}/edit?next=/posts/hello/")
    assert 200 == edit_page.status_code
    token = re.search(r'name="csrf_token" value="([^"]+)"', edit_page.content.decode())
    assert token is not None
    fields = {"csrf_token": token.group(1), "body": "Typo here", "next": "/posts/hello/"}
    saved = client.post(f"/comments/comments/{cid}/edit", fields)
    assert (303, f"/posts/hello/#comment-{cid}") == (saved.status_code, saved["Location"])
    assert "Typo here" in client.get(f"/comments/comments/{cid}").content.decode()
    stranger = _browser()
    stranger.get("/posts/hello/")
    assert 403 == stranger.get(f"/comments/comments/{cid}/delete").status_code
    gone = client.post(f"/comments/comments/{cid}/delete",
                       {"csrf_token": token.group(1), "next": "/posts/hello/"})
    assert 303 == gone.status_code
    assert "Typo here" not in client.get("/posts/hello/").content.decode()


def test_identicon_avatars_are_drawn_by_the_app() -> None:
    """With avatars on, an anonymous comment shows an identicon served by the app itself."""
    from threadkit.identity import AnonymousProvider

    settings = {"STORE": "threadkit.memory:MemoryStore", "ENGINE": "tkdjango_site.engines:plain",
                "PROVIDERS": [AnonymousProvider(avatar_secret=b"test secret")]}
    with override_settings(THREADKIT=settings):
        client = _browser()
        page = client.get("/posts/hello/").content.decode()
        client.post("/comments/threads/hello/comments", dict(_form(page), name="Ada", body="Hi"))
        page = client.get("/posts/hello/").content.decode()
        found = re.search(r'class="tk-avatar" src="(/comments/avatars/[0-9a-f]+\.svg)"', page)
        assert found is not None
        svg = client.get(found.group(1))
        assert (200, "image/svg+xml") == (svg.status_code, svg["Content-Type"])
        assert 404 == client.get("/comments/avatars/not-a-seed.svg").status_code
