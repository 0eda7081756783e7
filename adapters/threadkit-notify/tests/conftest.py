"""Fixtures of the notifier tests: a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from notify_servers import SmtpSink


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """An SMTP server that keeps what it receives, for one test."""
    with SmtpSink() as sink:
        yield sink
