"""Server-side rendering of threads in Flask: the ``threadkit`` template helper.

A host template calls ``{{ threadkit.thread("post-42", title=..., url=...) }}``
and gets the whole comment section as markup, rendered from the overridable
templates under ``threadkit/``. ``threadkit.count(key)`` and
``threadkit.counts(keys)`` give comment counts for post lists.

The context and the helper are the shared web layer's
(:mod:`threadkit_web.context`); this module tells them about Flask's request,
session and templates through :class:`FlaskVisit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template
from threadkit_web import context
from threadkit_web.context import (
    Badge,
    CommentView,
    FormState,
    Viewer,
    http_url,
    thread_meta,
    thread_meta_token,
)

from threadkit.models import Actor, Identity

from . import csrf, i18n, visitors
from .state import ThreadKitState
from .web import FlaskRequest, FlaskUrls, current_request

__all__ = [
    "Badge",
    "CommentView",
    "FlaskVisit",
    "FormState",
    "TemplateHelper",
    "Viewer",
    "current_viewer",
    "http_url",
    "thread_meta",
    "thread_meta_token",
]


class FlaskVisit:
    """The current Flask request as a :class:`~threadkit_web.request.Visit`."""

    __slots__ = ("_urls",)

    def __init__(self, state: ThreadKitState) -> None:
        self._urls = FlaskUrls(state.blueprint_name)

    @property
    def request(self) -> FlaskRequest:
        """Return the request."""
        return current_request()

    @property
    def urls(self) -> FlaskUrls:
        """Return ``url_for`` on the extension's blueprint."""
        return self._urls

    def actor(self, *, create: bool = False) -> Actor:
        """Return who acts in this request."""
        return visitors.actor(create=create)

    def logged_in(self) -> Identity | None:
        """Return the identity of a login, if any."""
        return visitors.logged_in_identity()

    def remembered_author(self) -> dict[str, str]:
        """Return what this browser typed in the form last."""
        return visitors.remembered_author()

    def remember_author(self, fields: Mapping[str, str]) -> None:
        """Remember what an anonymous commenter typed."""
        visitors.remember_author(fields)

    def browser_id(self, *, create: bool = False) -> str | None:
        """Return this browser's id (from the session or a bearer token)."""
        return visitors.browser_id(create=create)

    def csrf_token(self) -> str:
        """Return the session's CSRF token."""
        return csrf.token()

    def language(self) -> str:
        """Return the request's language."""
        return i18n.current_locale()

    def render(self, template: str, /, **values: Any) -> str:
        """Render a template with the app's Jinja environment."""
        return render_template(template, **values)


class TemplateHelper(context.TemplateHelper):
    """The ``threadkit`` object Flask templates see: the shared helper on this request."""

    def __init__(self, state: ThreadKitState) -> None:
        super().__init__(state, FlaskVisit(state))


def current_viewer(state: ThreadKitState) -> Viewer:
    """Build the :class:`Viewer` of this request."""
    return context.viewer_of(state, FlaskVisit(state))
