"""Django serves every route of the shared OpenAPI list, at the Flask adapter's paths."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse
from threadkit_web.openapi import OPERATIONS


def test_every_operation_is_routed_at_its_path() -> None:
    """Each ``OPERATIONS`` endpoint reverses to ``<prefix><its path>`` (none left out)."""
    missing = []
    for op in OPERATIONS:
        values = {name: "x1" for name in re.findall(r"\{(\w+)\}", op.path)}
        expected = "/comments" + op.path.format(**values)
        try:
            found = reverse(f"threadkit:{op.endpoint}", kwargs=values)
        except NoReverseMatch as error:  # the route is not served
            missing.append(f"{op.endpoint}: {error}")
            continue
        assert expected == found, op.endpoint
    assert [] == missing
