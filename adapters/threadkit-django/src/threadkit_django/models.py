"""A model with no table, so Django has a ``threadkit.moderate`` permission and an admin entry.

Comments are not Django models (they live in threadkit's store); this
unmanaged model only gives the permission a content type and the admin a
"Moderation queue" link (see :mod:`threadkit_django.admin`).
"""

from __future__ import annotations

from django.db import models

__all__ = ["ModerationQueue"]


class ModerationQueue(models.Model):
    """The moderation queue, as the Django admin and permissions see it (no table)."""

    class Meta:
        """No table, no add / change / delete permissions: only ``moderate``."""

        managed = False
        default_permissions = ()
        permissions = (("moderate", "Can moderate comments"),)
        verbose_name = "moderation queue"
        verbose_name_plural = "moderation queue"
