"""Every ``THREADKIT_*`` configuration key: the shared web layer's :mod:`threadkit_web.settings`.

Kept under this name for code that imports it from here.
"""

from threadkit_web.settings import (
    DEFAULT_CSP,
    DEFAULTS,
    THREAD_POLICIES,
    Settings,
    ThreadPolicy,
    read_settings,
)

__all__ = [
    "DEFAULT_CSP",
    "DEFAULTS",
    "THREAD_POLICIES",
    "Settings",
    "ThreadPolicy",
    "read_settings",
]
