"""What every test directory shares: the hypothesis profiles (see docs/testing.md), the clock.

``dev`` (the default) is fast for the edit-test loop; ``ci`` (chosen by ``CI=true``)
is thorough. ``HYPOTHESIS_PROFILE=<name>`` picks one by hand. Neither has a
deadline or the too-slow health check: both time a single example, and on a
busy machine that fails tests for the machine's load, not for the code.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from threadkit.clock import ManualClock

_NO_TIMING = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

settings.register_profile("dev", _NO_TIMING, max_examples=20)
settings.register_profile("ci", _NO_TIMING, max_examples=100, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)


@pytest.fixture
def clock() -> ManualClock:
    """Return the test clock all test directories share: still until the test moves it.

    A test module that needs it elsewhere (e.g. at ``T0``) overrides it.
    """
    return ManualClock()
