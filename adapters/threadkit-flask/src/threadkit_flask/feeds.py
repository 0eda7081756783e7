"""Atom feeds (RFC 4287) of recent comments: site-wide and per thread.

Entry content is the comment's sanitized HTML, sent as escaped text
(``type="html"``), so a feed reader shows exactly what the page shows. The
XML is built with :mod:`xml.etree.ElementTree`, which escapes every value;
characters XML cannot carry (NUL and other C0 controls) are dropped.

Every absolute URL and the feed ids come from ``THREADKIT_BASE_URL`` (or
``SERVER_NAME``), never from the request's ``Host`` header, so a publicly
cached feed is the same whoever asked for it first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

from flask import Blueprint, Response

from threadkit.models import Comment, Thread
from threadkit.serialization import iso_utc

from .external import absolute, base_url, external_url_for
from .rendering import http_url
from .state import get_state

__all__ = ["ATOM_TYPE", "atom_feed", "register"]

ATOM_TYPE = "application/atom+xml; charset=utf-8"
"""Content-Type of the feeds."""

_ATOM_NS = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _sub(parent: ElementTree.Element, tag: str, text: str | None = None, **attrib: str) -> None:
    element = ElementTree.SubElement(parent, tag, {k: _clean(v) for k, v in attrib.items()})
    if text is not None:
        element.text = _clean(text)


def atom_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate: str | None,
    comments: Sequence[Comment],
    threads: dict[str, Thread | None],
    updated: datetime | None,
) -> bytes:
    """Return an Atom document for ``comments`` (newest first)."""
    feed = ElementTree.Element("feed", {"xmlns": _ATOM_NS})
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    _sub(feed, "updated", iso_utc(updated) if updated else "1970-01-01T00:00:00Z")
    _sub(feed, "link", rel="self", href=self_url)
    if alternate:
        _sub(feed, "link", rel="alternate", href=alternate)
    for comment in comments:
        thread = threads.get(comment.thread_key)
        page = _absolute(thread.url) if thread else None
        entry = ElementTree.SubElement(feed, "entry")
        _sub(entry, "id", f"{_feed_id()}:comment:{comment.id}")
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


def _absolute(url: str) -> str | None:
    """Return an http(s) URL for a thread's ``url`` (a path is taken as on this host)."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return absolute(url)
    return http_url(url)


def _response(document: bytes) -> Response:
    response = Response(document)
    response.headers["Content-Type"] = ATOM_TYPE
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _feed_id() -> str:
    return f"tag:{urlsplit(base_url()).hostname or 'localhost'},2026:threadkit"


def recent_feed() -> Response:
    """Return the newest published comments of the whole site."""
    state = get_state()
    comments = state.engine.recent(min(state.settings.feed_limit, state.policy.max_recent))
    threads = {key: state.engine.store.get_thread(key) for key in {c.thread_key for c in comments}}
    document = atom_feed(
        feed_id=f"{_feed_id()}:recent",
        title="Recent comments",
        self_url=external_url_for(f"{state.blueprint_name}.feed_recent"),
        alternate=None,
        comments=comments,
        threads=threads,
        updated=comments[0].created_at if comments else None,
    )
    return _response(document)


def thread_feed(key: str) -> Response:
    """Return the newest published comments of one thread."""
    state = get_state()
    thread = state.engine.get_thread(key)
    comments = state.engine.recent(
        min(state.settings.feed_limit, state.policy.max_recent), thread_key=key
    )
    document = atom_feed(
        feed_id=f"{_feed_id()}:thread:{key}",
        title=f"Comments on {thread.title or key}",
        self_url=external_url_for(f"{state.blueprint_name}.feed_thread", key=key),
        alternate=_absolute(thread.url),
        comments=comments,
        threads={key: thread},
        updated=comments[0].created_at if comments else thread.created_at,
    )
    return _response(document)


def register(bp: Blueprint) -> None:
    """Add the feed routes to ``bp``."""
    bp.add_url_rule("/feeds/recent.atom", "feed_recent", recent_feed, methods=["GET"])
    bp.add_url_rule("/feeds/threads/<key>.atom", "feed_thread", thread_feed, methods=["GET"])
