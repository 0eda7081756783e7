"""The Django admin's "Moderation queue" entry: a link to threadkit's own queue page.

Comments are not Django models, so there is no change list; the entry
redirects to the queue, which checks the moderator permission itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from .models import ModerationQueue
from .state import URL_NAMESPACE

__all__ = ["ModerationQueueAdmin"]

# The stubs make ModelAdmin generic; Django's own class is not subscriptable at run time.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[ModerationQueue]
else:
    _ModelAdmin = admin.ModelAdmin


@admin.register(ModerationQueue)
class ModerationQueueAdmin(_ModelAdmin):
    """Shows a "Moderation queue" link to moderators; opening it goes to the queue."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        """Show the entry to staff with the moderate permission (or staff, if staff moderate)."""
        from . import visitors

        return visitors.is_moderator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Moderators may open it."""
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Comments are added on the site, never here."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nothing to change here: decisions are made on the queue page."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nothing to delete here."""
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseRedirect:
        """Go to threadkit's moderation queue."""
        return HttpResponseRedirect(reverse(f"{URL_NAMESPACE}:queue"))
