"""The blog's two pages; the comment section is one template tag in post.html."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Post


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "blog/index.html", {"posts": Post.objects.order_by("-id")})


def post(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "blog/post.html", {"post": get_object_or_404(Post, slug=slug)})
