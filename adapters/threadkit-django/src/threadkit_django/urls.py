"""threadkit's URLs: ``path("comments/", include("threadkit_django.urls"))``.

Paths and names come from :data:`threadkit_web.openapi.OPERATIONS`, the one list
every adapter routes, so the shared templates, the script and API clients find
the same routes as on Flask (``reverse("threadkit:queue")``). Several names on
one path (``api_comment``, ``api_edit``, ``api_delete``) share one view that
dispatches by method. Routes this adapter does not serve yet are left out.
"""

from __future__ import annotations

import re

from django.urls import URLPattern, path
from threadkit_web.openapi import OPERATIONS

from . import embed, feeds, personal_data, static, views_auth, views_html, views_json
from .responses import View

app_name = "threadkit"

_VIEWS: dict[str, View] = {
    "api_thread": views_json.api_thread,
    "api_post": views_json.api_thread,
    "api_preview": views_json.api_preview,
    "api_comment": views_json.api_comment,
    "api_edit": views_json.api_comment,
    "api_delete": views_json.api_comment,
    "api_replies": views_json.api_replies,
    "api_reply": views_json.api_replies,
    "api_vote": views_json.api_vote,
    "api_moderate": views_json.api_moderate,
    "api_queue": views_json.api_queue,
    "api_counts": views_json.api_counts,
    "api_me": views_json.api_me,
    "api_logout": views_auth.api_logout,
    "api_session": views_auth.api_session,
    "auth_login": views_auth.login,
    "auth_callback": views_auth.callback,
    "openapi": views_json.openapi_document,
    "avatar": static.avatar,
    "auth_logout": views_auth.logout,
    "post": views_html.post,
    "comment_page": views_html.comment_page,
    "edit": views_html.edit,
    "delete": views_html.delete,
    "vote": views_html.vote,
    "queue": views_html.queue,
    "moderate": views_html.moderate,
    "moderate_link": views_html.moderate_link,
    "unsubscribe": views_html.unsubscribe,
    "subscribe": views_html.subscribe,
    "personal_data": personal_data.moderation_form,
    "api_personal_data": personal_data.api_export,
    "api_personal_data_erase": personal_data.api_erase,
    "request_data": personal_data.request_data,
    "my_data": personal_data.my_data,
    "feed_recent": feeds.feed_recent,
    "feed_thread": feeds.feed_thread,
    "fragment_thread": views_html.fragment_thread,
    "fragment_comment": views_html.fragment_comment,
    "fragment_replies": views_html.fragment_replies,
}


def _django_path(template: str) -> str:
    """``/api/comments/{comment_id}`` as Django writes it: ``api/comments/<str:comment_id>``."""
    return re.sub(r"\{(\w+)\}", r"<str:\1>", template.lstrip("/"))


def _patterns() -> list[URLPattern]:
    found: list[URLPattern] = []
    named: set[str] = set()
    # Literal paths first, so "moderation/personal-data" is not taken for a comment id.
    for op in sorted(OPERATIONS, key=lambda op: "{" in op.path):
        view = _VIEWS.get(op.endpoint)
        if view is None or op.endpoint in named:
            continue
        named.add(op.endpoint)
        found.append(path(_django_path(op.path), view, name=op.endpoint))
    return found


urlpatterns: list[URLPattern] = [
    *_patterns(),
    path("static/<path:filename>", static.static, name="static"),
    path("embed.js", embed.embed_js, name="embed_js"),
    path("embed.css", embed.embed_css, name="embed_css"),
    path("embed/i18n", embed.embed_i18n, name="embed_i18n"),
    # Last: any other path under the API is a problem, never an HTML page.
    path("api/<path:rest>", views_json.api_unknown, name="api_unknown"),
]
