from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

import notify_cli_factory
import pytest
from threadkit_notify._cli import main


def test_once_delivers_everything_due_across_batches(capsys: pytest.CaptureFixture[str]) -> None:
    """--once keeps claiming batches until the outbox is drained, then reports and exits 0."""
    code = main(["notify_cli_factory:make_worker", "--once"])
    expected = (0, [1, 2, 3, 4, 5], "threadkit-outbox: handled 5 message(s)\n")
    assert expected == (code, notify_cli_factory.recorder.delivered, capsys.readouterr().err)


def test_service_mode_stops_on_sigterm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --once the worker runs until SIGTERM (or Ctrl-C), finishing the message in hand."""
    handlers: dict[int, Callable[[int, Any], None]] = {}

    def fake_signal(signum: int, handler: Callable[[int, Any], None]) -> None:
        handlers[signum] = handler

    monkeypatch.setattr(signal, "signal", fake_signal)
    notify_cli_factory.recorder.on_deliver = lambda: handlers[signal.SIGTERM](signal.SIGTERM, None)
    try:
        code = main(["notify_cli_factory:make_worker", "--idle-sleep", "0"])
    finally:
        notify_cli_factory.recorder.on_deliver = None
    # Stopped after the first batch of two: the stop is seen between passes.
    expected = (0, [1, 2], {signal.SIGTERM, signal.SIGINT})
    assert expected == (code, notify_cli_factory.recorder.delivered, set(handlers))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_colon_here", "the factory must look like package.module:factory"),
        ("notify_cli_factory:not_a_worker", "gave str, not OutboxWorker"),
    ],
)
def test_bad_factory_is_a_clear_error(spec: str, message: str) -> None:
    """A malformed spec or a factory returning something else exits with a message."""
    with pytest.raises(SystemExit, match=message):
        main([spec, "--once"])
