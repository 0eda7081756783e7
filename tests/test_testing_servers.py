"""threadkit.testing.servers: a missing server skips a test locally and fails it in CI."""

from __future__ import annotations

import pytest

from threadkit.testing.servers import unreachable


def test_a_missing_server_skips_the_test_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """Locally: skipped, and the reason is the caller's, word for word."""
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^Redis not reachable; set X$"):
        unreachable("Redis not reachable; set X")


def test_a_missing_server_fails_the_run_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under CI=true: failed, the reason saying why a skip is not allowed."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"set X \[CI=true: a missing server fails"):
        unreachable("Redis not reachable; set X")
