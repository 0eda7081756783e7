"""Django's test client as :mod:`threadkit.testing.api_steps` sends requests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.test import Client

from threadkit.testing.api_steps import Answer, Send


def sender(client: Client) -> Send:
    """Wrap ``client`` for the shared API steps (a body goes as JSON)."""

    def send(
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        data = "" if body is None else json.dumps(dict(body))
        response = client.generic(
            method, path, data, content_type="application/json", headers=dict(headers or {})
        )
        is_json = "json" in response.get("Content-Type", "")
        decoded = json.loads(response.content) if is_json else None
        return Answer(response.status_code, decoded, response)

    return send
