"""The per-request lookups the hot path takes shortcuts for: the state and the bearer header."""

from __future__ import annotations

import pytest
from flask import Flask, request
from threadkit_flask import ThreadKit
from threadkit_flask.state import get_state
from threadkit_flask.web import current_request
from threadkit_web import bearer as web_bearer

from threadkit.memory import MemoryStore


def test_the_state_outside_an_app_context_is_flasks_error() -> None:
    """No app context: Flask's own RuntimeError, as through ``current_app``."""
    with pytest.raises(RuntimeError, match="application context"):
        get_state()


def test_an_app_without_threadkit_says_so() -> None:
    """An app context of an app threadkit is not set up on: the setup hint."""
    with Flask("bare").app_context(), pytest.raises(RuntimeError, match="not set up"):
        get_state()


def test_the_current_apps_state_and_a_given_apps_state() -> None:
    """The current app's state by default, another app's when it is named."""
    first, second = Flask("first"), Flask("second")
    for app in (first, second):
        app.secret_key = "k"
        ThreadKit(app, store=MemoryStore())
    with first.app_context():
        assert first.extensions["threadkit"] is get_state()
        assert second.extensions["threadkit"] is get_state(second)


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer abc", "bearer abc", "BEARER", "Basic abc", "Bearerx abc", " Bearer x"],
)
def test_the_bearer_check_is_the_shared_layers_and_asked_once(authorization: str | None) -> None:
    """Any Authorization header: the shared layer's answer, the same on every ask."""
    app = Flask("bearer-check")
    headers = {} if authorization is None else {"Authorization": authorization}
    with app.test_request_context(headers=headers):
        wrapped = current_request()
        expected = web_bearer.has_bearer(wrapped)
        assert expected == wrapped.has_bearer()
        assert expected == current_request().has_bearer()


def test_the_request_outside_a_request_is_flasks_error() -> None:
    """No request context: Flask's own RuntimeError, as through ``request``."""
    with Flask("no-request").app_context():
        with pytest.raises(RuntimeError) as flasks:
            request.method  # noqa: B018  # the proxy's error, whatever this Flask says
        with pytest.raises(RuntimeError) as ours:
            current_request()
    assert str(flasks.value) == str(ours.value)


def test_one_wrapper_per_request() -> None:
    """The same wrapper for every ask within a request, a new one for the next request."""
    app = Flask("wrappers")
    with app.test_request_context():
        first = current_request()
        assert first is current_request()
    with app.test_request_context():
        assert first is not current_request()
