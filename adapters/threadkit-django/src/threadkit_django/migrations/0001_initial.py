"""The table-less moderation queue model, so Django has a ``threadkit.moderate`` permission."""

from __future__ import annotations

from typing import ClassVar

from django.db import migrations, models


class Migration(migrations.Migration):
    """Create the unmanaged model (no table) and its one permission."""

    initial = True
    dependencies: ClassVar[list[tuple[str, str]]] = []

    operations: ClassVar[list[migrations.operations.base.Operation]] = [
        migrations.CreateModel(
            name="ModerationQueue",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
            ],
            options={
                "verbose_name": "moderation queue",
                "verbose_name_plural": "moderation queue",
                "permissions": [("moderate", "Can moderate comments")],
                "default_permissions": (),
                "managed": False,
            },
        ),
    ]
