"""The OpenAPI document Django serves tells the truth: schemathesis finds no violation and no 5xx.

The same proof as the Flask adapter's (the shared :mod:`threadkit.testing.openapi_kit`):
every operation of ``/comments/openapi.json`` gets generated requests through
Django's WSGI application, as a reader and as a staff moderator, each with a
real Django session cookie and CSRF token, on a memory store seeded with the
kit's small thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client, override_settings
from threadkit_django import reset_state

from threadkit.testing import openapi_kit as kit

DOCUMENT = "/comments/openapi.json"
SEEDED = {
    "STORE": "threadkit.memory:MemoryStore",
    "ENGINE": "threadkit.testing.openapi_kit:seeded_engine",
}


def served_schema() -> Any:
    """Load the served document through Django's WSGI application."""
    return schemathesis.openapi.from_wsgi(DOCUMENT, get_wsgi_application())


@pytest.fixture
def seeded() -> Iterator[None]:
    """Serve the kit's seeded engine, and keep the test's database connection across requests.

    Django closes a connection at the end of a WSGI request when it is inside a
    transaction (the test's), as its own test client avoids by disconnecting
    the same handler.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with override_settings(THREADKIT=SEEDED):
        reset_state()
        yield
        reset_state()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def browser(role: str, django_user_model: Any) -> Client:
    """A test client of ``role``: an anonymous reader, or a logged-in staff moderator."""
    client = Client()
    if role == "moderator":
        client.force_login(django_user_model.objects.create_user("boss", is_staff=True))
    return client


def session(role: str, django_user_model: Any) -> kit.Credentials:
    """The CSRF header and the cookies of a browser session of ``role``."""
    client = browser(role, django_user_model)
    me = client.get("/comments/api/me").json()
    assert (role == "moderator") == me["moderator"]
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    assert "csrftoken" in cookies
    return kit.Credentials({me["csrf_header"]: me["csrf_token"]}, cookies)


def _labels() -> list[str]:
    with override_settings(THREADKIT=SEEDED):
        reset_state()
        labels = kit.operation_labels(served_schema())
    reset_state()
    return labels


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("role", kit.ROLES)
@pytest.mark.parametrize("label", _labels())
def test_every_answer_matches_the_document(
    label: str, role: str, seeded: None, django_user_model: Any
) -> None:
    """Generated requests get documented statuses, content types and shapes, and no 5xx."""
    kit.check_operation(served_schema(), label, session(role, django_user_model))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "path", "name"),
    [("reader", *read) for read in kit.READER_READS]
    + [("moderator", *read) for read in kit.MODERATOR_READS],
)
def test_answers_validate_against_the_role_shapes(
    role: str, path: str, name: str, seeded: None, django_user_model: Any
) -> None:
    """A reader's answers match the reader's schemas (no private key), a moderator's theirs."""
    client = browser(role, django_user_model)
    response = client.get(f"/comments{path}")
    assert 200 == response.status_code
    document = client.get(DOCUMENT).json()
    assert [] == kit.schema_errors(document, name, response.json())
