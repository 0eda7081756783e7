"""threadkit's URLs: ``path("comments/", include("threadkit_django.urls"))``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "threadkit"

urlpatterns: list[URLPattern] = []
