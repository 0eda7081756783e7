"""What a test does when a server it needs (PostgreSQL, MariaDB, Redis...) is not running.

Locally the test is skipped, with a reason that says what to start or set.
In CI (``CI=true``) nothing may pass by being skipped, so the test fails
instead: a run that tested nothing on PostgreSQL must not look green. Every
adapter's tests call :func:`unreachable` for this, so the rule lives here once.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

__all__ = ["unreachable"]


def unreachable(reason: str) -> NoReturn:
    """Skip the running test because a server is unreachable, or fail it under ``CI=true``.

    ``reason`` names the server, its URL, the error, and how to provide one
    (e.g. the environment variable that points the tests at it).
    """
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " [CI=true: a missing server fails the run]", pytrace=False)
    pytest.skip(reason)
