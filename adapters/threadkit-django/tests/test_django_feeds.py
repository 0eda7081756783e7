"""Atom feeds on Django: valid Atom, the published comments only, links on the site's origin."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
from django.test import Client, override_settings
from threadkit_django import get_state, reset_state

from threadkit.engine import Decision
from threadkit.models import Actor, Identity, Submission

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HOLD_ALL = {"STORE": "threadkit.memory:MemoryStore", "ENGINE": "tkdjango_site.engines:holding"}
BOSS = Actor(identity=Identity("django", "1", "Boss"), moderator=True)


@pytest.fixture(autouse=True)
def _site() -> Iterator[None]:
    with override_settings(THREADKIT=HOLD_ALL, THREADKIT_BASE_URL="https://blog.example.org"):
        reset_state()
        yield
        reset_state()


def _author(name: str) -> Identity:
    return Identity("anonymous", f"{name}-browser", name, url=f"https://{name}.example.org/")


def _post(key: str, name: str, body: str, decision: Decision | None = None) -> int:
    """Post as ``name`` (held: a first comment) and apply a moderator's ``decision``."""
    engine = get_state().engine
    comment = engine.post(
        key, Submission(body), _author(name), title=f"Post {key}", url=f"/posts/{key}/"
    )
    if decision is not None:
        engine.moderate(comment.id, decision, BOSS)
    return comment.id


def _entries(document: bytes) -> list[dict[str, str]]:
    root = ElementTree.fromstring(document)
    assert f"{ATOM}feed" == root.tag
    found = []
    for entry in root.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        found.append(
            {
                "id": entry.findtext(f"{ATOM}id") or "",
                "title": entry.findtext(f"{ATOM}title") or "",
                "content": (entry.findtext(f"{ATOM}content") or "").strip(),
                "type": entry.find(f"{ATOM}content").get("type", ""),  # type: ignore[union-attr]
                "author": entry.findtext(f"{ATOM}author/{ATOM}name") or "",
                "uri": entry.findtext(f"{ATOM}author/{ATOM}uri") or "",
                "link": "" if link is None else link.get("href", ""),
                "published": entry.findtext(f"{ATOM}published") or "",
            }
        )
    return found


def _published_held_spam_deleted(key: str) -> tuple[int, int]:
    """One approved, one approved with markup; one held, one spam, one deleted."""
    first = _post(key, "ada", "first", Decision.APPROVE)
    second = _post(key, "bo", "second <b>bold</b>", Decision.APPROVE)
    _post(key, "cy", "held for review")
    _post(key, "di", "buy pills", Decision.SPAM)
    gone = _post(key, "ed", "deleted words", Decision.APPROVE)
    get_state().engine.moderate(gone, Decision.DELETE, BOSS)
    return first, second


def test_thread_feed_is_atom_with_the_published_comments_newest_first() -> None:
    """Only published comments, newest first, as escaped HTML; links on THREADKIT_BASE_URL."""
    first, second = _published_held_spam_deleted("post-1")
    response = Client().get("/comments/feeds/threads/post-1.atom")
    assert 200 == response.status_code
    assert "application/atom+xml; charset=utf-8" == response["Content-Type"]
    assert "public, max-age=60" == response["Cache-Control"]
    entries = _entries(response.content)
    assert ["<p>second &lt;b&gt;bold&lt;/b&gt;</p>", "<p>first</p>"] == [
        e["content"] for e in entries
    ]
    assert {"html"} == {e["type"] for e in entries}
    assert [f"https://blog.example.org/posts/post-1/#comment-{n}" for n in (second, first)] == [
        e["link"] for e in entries
    ]
    assert ["bo on Post post-1", "ada on Post post-1"] == [e["title"] for e in entries]
    assert ["https://bo.example.org/", "https://ada.example.org/"] == [e["uri"] for e in entries]
    assert f"tag:blog.example.org,2026:threadkit:comment:{second}" == entries[0]["id"]
    root = ElementTree.fromstring(response.content)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert {
        "self": "https://blog.example.org/comments/feeds/threads/post-1.atom",
        "alternate": "https://blog.example.org/posts/post-1/",
    } == links
    assert "Comments on Post post-1" == root.findtext(f"{ATOM}title")
    assert entries[0]["published"] == root.findtext(f"{ATOM}updated")


def test_recent_feed_spans_threads_and_leaves_out_what_is_not_published() -> None:
    """The site-wide feed has every thread's published comments and nothing held or spam."""
    _published_held_spam_deleted("post-1")
    _post("post-2", "ada", "on the second post", Decision.APPROVE)
    response = Client().get("/comments/feeds/recent.atom")
    assert 200 == response.status_code
    entries = _entries(response.content)
    assert [
        "<p>on the second post</p>",
        "<p>second &lt;b&gt;bold&lt;/b&gt;</p>",
        "<p>first</p>",
    ] == [e["content"] for e in entries]
    text = response.content.decode()
    for hidden in ("held for review", "buy pills", "deleted words"):
        assert hidden not in text
    root = ElementTree.fromstring(response.content)
    assert "tag:blog.example.org,2026:threadkit:recent" == root.findtext(f"{ATOM}id")


def test_feed_of_an_unknown_thread_is_a_404() -> None:
    """A thread nobody opened has no feed."""
    assert 404 == Client().get("/comments/feeds/threads/nothing-here.atom").status_code


def test_feeds_only_answer_reads() -> None:
    """A POST to a feed is a 405."""
    assert 405 == Client().post("/comments/feeds/recent.atom").status_code


def test_characters_xml_cannot_carry_never_break_the_feed() -> None:
    """A C0 control character in a name is dropped; the document still parses."""
    _post("post-1", "ev\x01e", "fine words", Decision.APPROVE)
    entries = _entries(Client().get("/comments/feeds/recent.atom").content)
    assert ["eve"] == [e["author"] for e in entries]


def test_without_a_base_url_links_use_the_checked_host() -> None:
    """No THREADKIT_BASE_URL: the request's host, which Django checked against ALLOWED_HOSTS."""
    with override_settings(THREADKIT_BASE_URL=None):
        reset_state()
        _post("post-1", "ada", "first", Decision.APPROVE)
        entries = _entries(Client().get("/comments/feeds/threads/post-1.atom").content)
        assert entries[0]["link"].startswith("http://testserver/posts/post-1/#comment-")
        spoofed = Client(HTTP_HOST="evil.example").get("/comments/feeds/recent.atom")
        assert 400 == spoofed.status_code
