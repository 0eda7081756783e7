"""Exceptions the engine and stores raise, each with a stable machine-readable code.

Adapters turn these into responses with ``http_status``: the status of the
error's ``code`` in :data:`threadkit.codes.CODES` (the one table of codes),
else its class's. A new rule needs no adapter change: raise the closest class
with a new ``code``, and list the code in the table.

>>> err = NotFoundError("comment_not_found", "No comment 42 in this thread.")
>>> (err.code, err.http_status, str(err))
('comment_not_found', 404, 'No comment 42 in this thread.')
"""

from __future__ import annotations

from .codes import http_status
from .models import Reason

__all__ = [
    "AuthenticationRequiredError",
    "ConflictError",
    "InvalidParentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RejectedError",
    "StorageUnavailableError",
    "ThreadClosedError",
    "ThreadkitError",
    "ValidationError",
]


class ThreadkitError(Exception):
    """Base of every threadkit error.

    ``code`` is stable and meant for programs; ``message`` is for people and
    says what to fix; ``field`` names the input at fault, when there is one.
    """

    http_status = 400
    default_code = "bad_request"

    def __init_subclass__(cls) -> None:
        """Take the class's status from its ``default_code`` in the table of codes."""
        super().__init_subclass__()
        # One definition: the table says what status a code has; a class whose
        # default code is not listed keeps the status it inherits.
        cls.http_status = http_status(cls.default_code, cls.http_status)

    def __init__(self, code: str | None = None, message: str = "", *, field: str | None = None):
        self.code = code or self.default_code
        self.message = message or self.code.replace("_", " ")
        self.field = field
        self.http_status = http_status(self.code, type(self).http_status)
        super().__init__(self.message)


class ValidationError(ThreadkitError):
    """An input is malformed or out of range (HTTP 422)."""

    default_code = "invalid"


class InvalidParentError(ValidationError):
    """The comment replied to does not exist, is not visible, or is in another thread."""

    default_code = "invalid_parent"


class AuthenticationRequiredError(ThreadkitError):
    """The action needs an identity and the reader has none (HTTP 401)."""

    default_code = "authentication_required"


class PermissionDeniedError(ThreadkitError):
    """The reader is known but may not do this (HTTP 403)."""

    default_code = "forbidden"


class NotFoundError(ThreadkitError):
    """An unknown thread or comment, or one this reader may not see (HTTP 404)."""

    default_code = "not_found"


class ConflictError(ThreadkitError):
    """The action clashes with the current state, e.g. the edit window is over (HTTP 409)."""

    default_code = "conflict"


class ThreadClosedError(ConflictError):
    """The thread no longer takes comments."""

    default_code = "thread_closed"


class RejectedError(ThreadkitError):
    """The moderation pipeline refused the comment; ``reasons`` say why (HTTP 422)."""

    default_code = "rejected"

    def __init__(
        self,
        code: str | None = None,
        message: str = "",
        *,
        field: str | None = None,
        reasons: tuple[Reason, ...] = (),
    ):
        super().__init__(code, message, field=field)
        self.reasons = reasons


class RateLimitedError(RejectedError):
    """Too many posts too quickly; try again after ``retry_after`` seconds (HTTP 429)."""

    default_code = "rate_limited"

    def __init__(
        self,
        code: str | None = None,
        message: str = "",
        *,
        retry_after: float,
        field: str | None = None,
        reasons: tuple[Reason, ...] = (),
    ):
        super().__init__(code, message, field=field, reasons=reasons)
        self.retry_after = retry_after


class StorageUnavailableError(ThreadkitError):
    """The store cannot be reached or timed out; nothing was written (HTTP 503)."""

    default_code = "storage_unavailable"
