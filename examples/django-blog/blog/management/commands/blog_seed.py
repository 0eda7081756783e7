"""Create the demo post and users once (running it again changes nothing)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from blog.models import Post

BODY = (
    "Proofing overnight at 8 degrees gives a slower rise and a deeper flavour. "
    "Tell us how your kitchen does it below."
)


class Command(BaseCommand):
    help = "Create the demo post and the demo users ada (reader) and grace (staff)."

    def handle(self, *args: Any, **options: Any) -> None:
        Post.objects.get_or_create(
            slug="cold-kitchen-sourdough",
            defaults={"title": "Sourdough in a cold kitchen", "body": BODY},
        )
        users = get_user_model()
        if not users.objects.filter(username="ada").exists():
            users.objects.create_user("ada", "ada@example.org", "ada",
                                      first_name="Ada", last_name="Lovelace")
        if not users.objects.filter(username="grace").exists():
            users.objects.create_user("grace", "grace@example.org", "grace", is_staff=True,
                                      first_name="Grace", last_name="Hopper")
