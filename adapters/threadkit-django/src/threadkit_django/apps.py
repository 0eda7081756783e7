"""The Django app config: app label ``threadkit`` (so the permission is ``threadkit.moderate``)."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["ThreadkitConfig"]


class ThreadkitConfig(AppConfig):
    """threadkit's Django app: comments live in threadkit's store, not in Django models."""

    name = "threadkit_django"
    label = "threadkit"
    verbose_name = "Comments (threadkit)"
    default_auto_field = "django.db.models.AutoField"
