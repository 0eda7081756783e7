"""Django's test client as :mod:`threadkit.testing.api_steps` sends requests."""

from __future__ import annotations

import json

from django.test import Client

from threadkit.testing.api_steps import Answer, Request, Send


def sender(client: Client) -> Send:
    """Wrap ``client`` for the shared API steps (a body goes as JSON)."""

    def send(sent: Request) -> Answer:
        response = client.generic(
            sent.method,
            sent.path,
            sent.data(),
            content_type="application/json",
            headers=dict(sent.headers),
        )
        is_json = "json" in response.get("Content-Type", "")
        decoded = json.loads(response.content) if is_json else None
        return Answer(response.status_code, decoded, response)

    return send
