"""Shared data and helpers of the store conformance suites (``*_suite.py``).

Public so a store's own tests can reuse them: :data:`UNICODE_SAMPLES` (text a
store must keep byte for byte), the counter rules as functions, and
:func:`in_parallel`, which releases several writers at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from threadkit.models import Status

__all__ = [
    "ALL_STATUS_PAIRS",
    "SAMPLE_IDS",
    "UNICODE_SAMPLES",
    "approved_count",
    "counted_reply",
    "in_parallel",
]

#: Text every store must keep byte for byte: 4-byte emoji, ZWJ sequence, flag,
#: CJK, Thai, Arabic (RTL), combining marks (not normalized), U+2028 / U+2029
#: and line endings, and a mix of all of them.
UNICODE_SAMPLES: list[str] = [
    "\U0001f642",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f1fa\U0001f1e6\U0001f1ef\U0001f1f5",
    "漢字かなカナ한국어",
    "ภาษาไทยง่ายนิดเดียว",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "e\u0301 n\u0303 a\u0308\u0304 Z\u0324\u0354\u0367\u0311",
    "line\u2028separator\u2029paragraph\r\nCRLF\ttab",
    "Hi \U0001f642 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"
    " 漢字 e\u0301 \U0001f44d\U0001f3fd!",
]

#: pytest ids for :data:`UNICODE_SAMPLES`, in the same order.
SAMPLE_IDS = ["emoji", "zwj", "flags", "cjk", "thai", "arabic", "combining", "separators", "mixed"]

#: Every (old, new) pair of different statuses.
ALL_STATUS_PAIRS = [(old, new) for old in Status for new in Status if old is not new]


def approved_count(status: Status) -> int:
    """Return 1 if a comment in ``status`` counts in the thread's counters."""
    return int(status is Status.APPROVED)


def counted_reply(status: Status) -> int:
    """Return 1 if a reply in ``status`` counts in its parent's ``reply_count``."""
    return int(status in (Status.APPROVED, Status.DELETED))


def in_parallel(workers: int, work: Callable[[int], None]) -> None:
    """Run ``work(0)`` ... ``work(workers - 1)`` in threads released together; re-raise."""
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
