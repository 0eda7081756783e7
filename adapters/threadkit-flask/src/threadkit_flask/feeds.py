"""Atom feeds (RFC 4287) of recent comments: site-wide and per thread (Flask routes).

The documents are :mod:`threadkit_web.feeds`' (the same on every adapter). Every
absolute URL and the feed ids come from ``THREADKIT_BASE_URL`` (or
``SERVER_NAME``), never from the request's ``Host`` header, so a publicly
cached feed is the same whoever asked for it first.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from threadkit_web import feeds
from threadkit_web.feeds import ATOM_TYPE

from .external import base_url, external_url_for
from .state import get_state

__all__ = ["ATOM_TYPE", "atom_feed", "register"]


def atom_feed(**fields: Any) -> bytes:
    """Return an Atom document, linked on the configured origin.

    ``fields`` are :func:`threadkit_web.feeds.atom_feed`'s, without ``origin``.
    """
    return feeds.atom_feed(origin=base_url(), **fields)


def _response(document: bytes) -> Response:
    response = Response(document)
    response.headers["Content-Type"] = ATOM_TYPE
    response.headers["Cache-Control"] = feeds.CACHE_CONTROL
    return response


def recent_feed() -> Response:
    """Return the newest published comments of the whole site."""
    state = get_state()
    self_url = external_url_for(f"{state.blueprint_name}.feed_recent")
    return _response(feeds.recent_feed(state, base_url(), self_url))


def thread_feed(key: str) -> Response:
    """Return the newest published comments of one thread."""
    state = get_state()
    self_url = external_url_for(f"{state.blueprint_name}.feed_thread", key=key)
    return _response(feeds.thread_feed(state, key, base_url(), self_url))


def register(bp: Blueprint) -> None:
    """Add the feed routes to ``bp``."""
    bp.add_url_rule("/feeds/recent.atom", "feed_recent", recent_feed, methods=["GET"])
    bp.add_url_rule("/feeds/threads/<key>.atom", "feed_thread", thread_feed, methods=["GET"])
