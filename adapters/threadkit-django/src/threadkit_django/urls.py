"""threadkit's URLs: ``path("comments/", include("threadkit_django.urls"))``.

The paths and names are the Flask adapter's, so the shared JavaScript and the
JSON API's clients work unchanged; the shared templates build links by these names.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from . import static, views_html, views_json

app_name = "threadkit"

urlpatterns: list[URLPattern] = [
    path("threads/<str:key>/comments", views_html.post, name="post"),
    path("comments/<str:comment_id>", views_html.comment_page, name="comment_page"),
    path("comments/<str:comment_id>/edit", views_html.edit, name="edit"),
    path("comments/<str:comment_id>/delete", views_html.delete, name="delete"),
    path("comments/<str:comment_id>/vote", views_html.vote, name="vote"),
    path("moderation", views_html.queue, name="queue"),
    path("moderation/<str:comment_id>", views_html.moderate, name="moderate"),
    path("logout", views_html.logout, name="auth_logout"),
    path("personal-data", views_html.personal_data, name="personal_data"),
    path(
        "fragments/comments/<str:comment_id>",
        views_html.fragment_comment,
        name="fragment_comment",
    ),
    path(
        "fragments/comments/<str:comment_id>/replies",
        views_html.fragment_replies,
        name="fragment_replies",
    ),
    path("static/<path:filename>", static.static, name="static"),
    path("api/threads/<str:key>", views_json.api_thread, name="api_thread"),
    path("api/threads/<str:key>/comments", views_json.api_thread, name="api_post"),
    path("api/comments/<str:comment_id>", views_json.api_comment, name="api_comment"),
    path("api/comments/<str:comment_id>/replies", views_json.api_replies, name="api_replies"),
    path("api/comments/<str:comment_id>/vote", views_json.api_vote, name="api_vote"),
    path(
        "api/comments/<str:comment_id>/moderation",
        views_json.api_moderate,
        name="api_moderate",
    ),
    path("api/moderation/queue", views_json.api_queue, name="api_queue"),
    path("api/counts", views_json.api_counts, name="api_counts"),
    path("api/me", views_json.api_me, name="api_me"),
    path("api/<path:rest>", views_json.api_unknown, name="api_unknown"),
]
