from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def post(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "post.html", {"post": {"slug": slug, "title": f"Post {slug}"}})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("threadkit_django.urls")),
    path("posts/<slug:slug>/", post, name="post"),
]
