"""The ``THREADKIT_*`` settings: the shared web layer's :mod:`threadkit_web.settings`.

Kept under this name for code that imports them from here.
"""

from threadkit_web.settings import DEFAULT_CSP, DEFAULTS

__all__ = ["DEFAULT_CSP", "DEFAULTS"]
