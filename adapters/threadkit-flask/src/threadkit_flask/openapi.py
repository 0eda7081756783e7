"""``<prefix>/openapi.json``: the shared web layer's document (:mod:`threadkit_web.openapi`).

The routes, schemas and document are the same for every adapter; this module
only serves it from Flask.
"""

from __future__ import annotations

from flask import Blueprint, Response
from threadkit_web.openapi import OPERATIONS, UNDOCUMENTED, Operation, document, document_bytes

from .state import get_state

__all__ = ["OPERATIONS", "UNDOCUMENTED", "Operation", "document", "register"]


def openapi_view() -> Response:
    """Serve the document."""
    state = get_state()
    settings = state.settings
    key_length = state.policy.max_thread_key_length
    response = Response(
        document_bytes(settings.url_prefix, settings.csrf_header, max_key_length=key_length)
    )
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


def register(bp: Blueprint) -> None:
    """Add the ``/openapi.json`` route to ``bp``."""
    bp.add_url_rule("/openapi.json", "openapi", openapi_view, methods=["GET"])
