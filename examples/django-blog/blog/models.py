"""A blog post: its slug is the key of its comment thread."""

from __future__ import annotations

from django.db import models


class Post(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()

    def __str__(self) -> str:
        return self.title
