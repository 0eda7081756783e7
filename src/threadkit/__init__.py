"""threadkit: a pluggable comment engine for Python web apps.

The core is pure Python: no web framework, no database driver, no network IO.
Adapters (``threadkit_flask``, ``threadkit_sqlalchemy``, ``threadkit_social``,
``threadkit_akismet``) plug it into the rest of the world through the ports in
:mod:`threadkit.ports`.
"""

from .engine import CommentEngine, Decision, EnginePolicy
from .errors import (
    AuthenticationRequiredError,
    ConflictError,
    InvalidParentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RejectedError,
    StorageUnavailableError,
    ThreadClosedError,
    ThreadkitError,
    ValidationError,
)
from .models import (
    Action,
    Actor,
    Candidate,
    Comment,
    CommentRows,
    EventKind,
    Identity,
    NewComment,
    Notice,
    OutboxMessage,
    Reason,
    RequestContext,
    SortOrder,
    Status,
    Submission,
    Thread,
    Verdict,
    Visibility,
)

__version__ = "0.1.0"

__all__ = [
    "Action",
    "Actor",
    "AuthenticationRequiredError",
    "Candidate",
    "Comment",
    "CommentEngine",
    "CommentRows",
    "ConflictError",
    "Decision",
    "EnginePolicy",
    "EventKind",
    "Identity",
    "InvalidParentError",
    "NewComment",
    "NotFoundError",
    "Notice",
    "OutboxMessage",
    "PermissionDeniedError",
    "RateLimitedError",
    "Reason",
    "RejectedError",
    "RequestContext",
    "SortOrder",
    "Status",
    "StorageUnavailableError",
    "Submission",
    "Thread",
    "ThreadClosedError",
    "ThreadkitError",
    "ValidationError",
    "Verdict",
    "Visibility",
    "__version__",
]
