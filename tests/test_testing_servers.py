"""threadkit.testing.servers: a missing server skips a test locally and fails it in CI."""

from __future__ import annotations

import pytest

from threadkit.testing.servers import require, unreachable


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


def test_require_cleans_up_and_stops_only_on_the_named_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check that raises a named error: cleanup runs, the test stops; a reachable one: nothing."""
    monkeypatch.delenv("CI", raising=False)
    closed: list[str] = []

    def refused() -> None:
        raise ConnectionRefusedError("refused")

    with pytest.raises(pytest.skip.Exception, match=r"^down: refused$"):
        require(
            refused, OSError, lambda error: f"down: {error}", cleanup=lambda: closed.append("x")
        )
    assert ["x"] == closed
    require(lambda: "PONG", OSError, lambda error: "never", cleanup=lambda: closed.append("y"))
    assert ["x"] == closed
    with pytest.raises(ValueError, match="other"):
        require(lambda: int("other"), OSError, lambda error: "never")
