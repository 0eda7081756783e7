"""What a test does when a server it needs (PostgreSQL, MariaDB, Redis...) is not running.

Locally the test is skipped, with a reason that says what to start or set.
In CI (``CI=true``) nothing may pass by being skipped, so the test fails
instead: a run that tested nothing on PostgreSQL must not look green. Every
adapter's tests call :func:`unreachable` for this, so the rule lives here once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NoReturn

import pytest

__all__ = ["require", "unreachable"]


def unreachable(reason: str) -> NoReturn:
    """Skip the running test because a server is unreachable, or fail it under ``CI=true``.

    ``reason`` names the server, its URL, the error, and how to provide one
    (e.g. the environment variable that points the tests at it).
    """
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " [CI=true: a missing server fails the run]", pytrace=False)
    pytest.skip(reason)


def require(
    check: Callable[[], object],
    errors: type[Exception] | tuple[type[Exception], ...],
    reason: Callable[[Exception], str],
    *,
    cleanup: Callable[[], object] | None = None,
) -> None:
    """Run ``check`` (a client's ``ping``); on one of ``errors``, stop as :func:`unreachable` does.

    ``reason(error)`` says what was not reachable and how to provide it;
    ``cleanup`` (e.g. the client's ``close``) runs before the test stops.
    """
    try:
        check()
    except errors as error:
        if cleanup is not None:
            cleanup()
        unreachable(reason(error))
