"""Which thread keys may take comments: the shared :mod:`threadkit_web.thread_policy`.

Kept under this name for code that imports it from here.
"""

from threadkit_web.thread_policy import check_may_post

__all__ = ["check_may_post"]
