"""Conformance suites that prove an adapter keeps threadkit's port contracts.

A store author subclasses :class:`CommentStoreSuite` and overrides one
fixture (see :mod:`threadkit.testing.store_suite`); an identity provider's
author does the same with :class:`FormProviderSuite`,
:class:`RedirectProviderSuite` or :class:`SessionProviderSuite` (see
:mod:`threadkit.testing.identity_suite`). The suites need pytest;
they are imported lazily, so helpers in this package that do not need pytest
(data generators, strategies) import without it.

The rest of the public test kit, used by the core's and every adapter's tests:
:mod:`threadkit.testing.strategies` (all hypothesis strategies),
:mod:`threadkit.testing.store_kit` (write to a store, read every page back),
:mod:`threadkit.testing.http_server` (``serve_in_thread``, ``FakeHTTPServer``)
and :class:`threadkit.clock.ManualClock` (the test clock). See docs/testing.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = [
    "CommentStoreSuite",
    "FormProviderSuite",
    "LoginHarness",
    "RedirectProviderSuite",
    "SessionProviderSuite",
    "UNICODE_SAMPLES",
]

if TYPE_CHECKING:
    from threadkit.testing.identity_suite import (
        FormProviderSuite,
        LoginHarness,
        RedirectProviderSuite,
        SessionProviderSuite,
    )
    from threadkit.testing.store_suite import UNICODE_SAMPLES, CommentStoreSuite

try:
    import pytest
except ImportError:  # pragma: no cover - only the suites need pytest
    pass
else:
    # The suites' asserts live in this package: have pytest rewrite them for
    # readable failures. Registering must happen before the modules import.
    pytest.register_assert_rewrite(
        "threadkit.testing.store_suite",
        "threadkit.testing.counts_suite",
        "threadkit.testing.names_suite",
        "threadkit.testing.race_suite",
        "threadkit.testing.store_kit",
        "threadkit.testing.identity_suite",
    )

_LAZY = {
    "CommentStoreSuite": "threadkit.testing.store_suite",
    "UNICODE_SAMPLES": "threadkit.testing.store_suite",
    "FormProviderSuite": "threadkit.testing.identity_suite",
    "LoginHarness": "threadkit.testing.identity_suite",
    "RedirectProviderSuite": "threadkit.testing.identity_suite",
    "SessionProviderSuite": "threadkit.testing.identity_suite",
}


def __getattr__(name: str) -> object:
    """Import a suite on first use, so importing this package never needs pytest."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'threadkit.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
