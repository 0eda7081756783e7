"""The engine's rules as small pure functions: who may do what, and which input is valid."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from .codes import CODES
from .errors import (
    AuthenticationRequiredError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from .limits import utf8_size
from .models import DELETED_AUTHOR as DELETED_AUTHOR
from .models import Action, Actor, Comment, Reason, Status, Verdict, Visibility

_STATUS_FOR_ACTION = {
    Action.ACCEPT: Status.APPROVED,
    Action.HOLD: Status.PENDING,
    Action.SPAM: Status.SPAM,
}


def visibility_for(actor: Actor) -> Visibility:
    """Return what ``actor`` may see besides approved comments and placeholders."""
    return Visibility(viewer_key=actor.key, moderator=actor.moderator)


def require_visible(comment: Comment | None, actor: Actor, comment_id: int) -> Comment:
    """Return ``comment`` if ``actor`` may see it; a hidden comment looks like a missing one."""
    if comment is None or not visibility_for(actor).can_see(comment):
        raise NotFoundError("comment_not_found", f"There is no comment {comment_id}.")
    return comment


def require_moderator(actor: Actor) -> None:
    """Refuse anyone who is not a moderator."""
    if not actor.moderator:
        if actor.identity is None:
            raise AuthenticationRequiredError(
                "authentication_required", "Log in as a moderator to do this."
            )
        raise PermissionDeniedError("not_moderator", "Only moderators may do this.")


def require_author_in_window(
    comment: Comment, actor: Actor, *, now: datetime, window: timedelta, verb: str
) -> None:
    """Let moderators always, and the author only within the edit window."""
    if actor.moderator:
        return
    if actor.identity is None:
        raise AuthenticationRequiredError(
            "authentication_required", f"Identify yourself to {verb} your comment."
        )
    if actor.key != comment.author.key:
        raise PermissionDeniedError("not_author", f"You can only {verb} your own comments.")
    if now - comment.created_at > window:
        minutes = int(window.total_seconds() // 60)
        raise ConflictError(
            "edit_window_closed",
            f"Comments can be changed for {minutes} minutes after posting; that time is over.",
        )


def check_thread_key(key: object, *, max_length: int) -> str:
    """Validate a thread key: a non-empty string of printable characters."""
    if not isinstance(key, str) or not key.strip():
        raise ValidationError(
            "invalid_thread", "A thread key must be a non-empty string.", field="thread"
        )
    if len(key) > max_length:
        raise ValidationError(
            "invalid_thread",
            f"A thread key may have at most {max_length} characters (got {len(key)}).",
            field="thread",
        )
    # Control characters and surrogates are never printable: a printable key skips the scan.
    if not key.isprintable() and any(unicodedata.category(ch) in ("Cc", "Cs") for ch in key):
        raise ValidationError(
            "invalid_thread", "A thread key must not contain control characters.", field="thread"
        )
    return key


def check_body(body: object, *, max_bytes: int) -> str:
    """Validate a comment body before anything else looks at it."""
    if not isinstance(body, str):
        raise ValidationError("invalid_body", "The comment must be text.", field="body")
    if not body.strip():
        raise ValidationError("empty_body", CODES["empty_body"].message, field="body")
    if "\x00" in body:
        raise ValidationError(
            "invalid_body", "The comment must not contain NUL characters.", field="body"
        )
    # Strict UTF-8 fails on exactly the surrogates (category Cs): one encode measures
    # the body and finds them, where a scan of every character of a body with a line
    # break (never "printable") cost a microsecond per ten characters.
    try:
        size, surrogates = len(body.encode("utf-8")), False
    except UnicodeEncodeError:
        size, surrogates = utf8_size(body), True
    if size > max_bytes:
        raise ValidationError(
            "body_too_large",
            f"The comment takes {size:,} bytes in UTF-8; the limit is {max_bytes:,} bytes."
            " Shorten it and send it again.",
            field="body",
        )
    if surrogates:
        raise ValidationError(
            "invalid_body",
            "The comment contains invalid characters (lone surrogates).",
            field="body",
        )
    return body


def status_for(verdict: Verdict) -> Status:
    """Return the status a comment gets for an accepting, holding or spam verdict."""
    return _STATUS_FOR_ACTION[verdict.action]


_FIELDS = ("body", "name", "email", "url")


def field_of(reason: Reason) -> str | None:
    """Guess the form field a rejecting reason is about, from its code."""
    for field in _FIELDS:
        if reason.code.startswith(field) or reason.code.endswith(field):
            return field
    return None
