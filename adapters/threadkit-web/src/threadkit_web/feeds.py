"""Atom feeds (RFC 4287) of recent comments, site-wide and per thread, for every adapter.

Entry content is the comment's sanitized HTML, sent as escaped text
(``type="html"``), so a feed reader shows exactly what the page shows. The
XML is built with :mod:`xml.etree.ElementTree`, which escapes every value;
characters XML cannot carry (NUL and other C0 controls) are dropped.

Every absolute URL and the feed ids are built on ``origin``, which the adapter
takes from its configuration (``THREADKIT_BASE_URL``), so a publicly cached
feed is the same whoever asked for it first. The engine decides what is in a
feed: only published comments (never held, spam or deleted ones).

>>> from threadkit.memory import MemoryStore
>>> from threadkit_web.state import build_state
>>> state = build_state({}, store=MemoryStore(), secret="s")
>>> document = recent_feed(state, "https://blog.example.org", "https://blog.example.org/c/r")
>>> document.startswith(b"<?xml") and b"<title>Recent comments</title>" in document
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

from threadkit.models import Comment, Thread
from threadkit.serialization import iso_utc

from .context import http_url
from .state import WebState

__all__ = ["ATOM_TYPE", "CACHE_CONTROL", "atom_feed", "recent_feed", "thread_feed"]

ATOM_TYPE = "application/atom+xml; charset=utf-8"
"""Content-Type of the feeds."""

CACHE_CONTROL = "public, max-age=60"
"""How long anyone may keep a feed: it holds published comments only, the same for all."""

_ATOM_NS = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _sub(parent: ElementTree.Element, tag: str, text: str | None = None, **attrib: str) -> None:
    element = ElementTree.SubElement(parent, tag, {k: _clean(v) for k, v in attrib.items()})
    if text is not None:
        element.text = _clean(text)


def _feed_id(origin: str) -> str:
    return f"tag:{urlsplit(origin).hostname or 'localhost'},2026:threadkit"


def _absolute(origin: str, url: str) -> str | None:
    """Return an http(s) URL for a thread's ``url`` (a path is taken as on ``origin``)."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return origin + url
    return http_url(url)


def atom_feed(
    *,
    origin: str,
    feed_id: str,
    title: str,
    self_url: str,
    alternate: str | None,
    comments: Sequence[Comment],
    threads: dict[str, Thread | None],
    updated: datetime | None,
) -> bytes:
    """Return an Atom document for ``comments`` (newest first); links are built on ``origin``."""
    feed = ElementTree.Element("feed", {"xmlns": _ATOM_NS})
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    _sub(feed, "updated", iso_utc(updated) if updated else "1970-01-01T00:00:00Z")
    _sub(feed, "link", rel="self", href=self_url)
    if alternate:
        _sub(feed, "link", rel="alternate", href=alternate)
    for comment in comments:
        thread = threads.get(comment.thread_key)
        page = _absolute(origin, thread.url) if thread else None
        entry = ElementTree.SubElement(feed, "entry")
        _sub(entry, "id", f"{_feed_id(origin)}:comment:{comment.id}")
        what = thread.title if thread and thread.title else comment.thread_key
        _sub(entry, "title", f"{comment.author.name} on {what}")
        _sub(entry, "updated", iso_utc(comment.edited_at or comment.created_at))
        _sub(entry, "published", iso_utc(comment.created_at))
        author = ElementTree.SubElement(entry, "author")
        _sub(author, "name", comment.author.name or "Anonymous")
        if http_url(comment.author.url):
            _sub(author, "uri", comment.author.url or "")
        if page:
            _sub(entry, "link", rel="alternate", href=f"{page}#comment-{comment.id}")
        _sub(entry, "content", comment.body_html, type="html")
    document: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _limit(state: WebState) -> int:
    return min(state.settings.feed_limit, state.policy.max_recent)


def recent_feed(state: WebState, origin: str, self_url: str) -> bytes:
    """Return the feed of the newest published comments of the whole site."""
    comments = state.engine.recent(_limit(state))
    threads = {key: state.engine.store.get_thread(key) for key in {c.thread_key for c in comments}}
    return atom_feed(
        origin=origin,
        feed_id=f"{_feed_id(origin)}:recent",
        title="Recent comments",
        self_url=self_url,
        alternate=None,
        comments=comments,
        threads=threads,
        updated=comments[0].created_at if comments else None,
    )


def thread_feed(state: WebState, key: str, origin: str, self_url: str) -> bytes:
    """Return the feed of one thread's newest published comments (404 error if no thread)."""
    thread = state.engine.get_thread(key)
    comments = state.engine.recent(_limit(state), thread_key=key)
    return atom_feed(
        origin=origin,
        feed_id=f"{_feed_id(origin)}:thread:{key}",
        title=f"Comments on {thread.title or key}",
        self_url=self_url,
        alternate=_absolute(origin, thread.url),
        comments=comments,
        threads={key: thread},
        updated=comments[0].created_at if comments else thread.created_at,
    )
