"""The form fields Akismet is sent about a comment: before it is stored, and after."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from datetime import UTC, datetime

import attrs

from threadkit.models import Candidate, Comment, Identity, RequestContext, Thread
from threadkit.ports import ThreadLookup

__all__ = ["RECHECKING", "CallFields", "thread_created_at"]

# The standard comment-check fields: a honeypot field may not reuse their names.
_STANDARD_FIELDS = frozenset(
    {
        "api_key",
        "blog",
        "user_ip",
        "user_agent",
        "referrer",
        "permalink",
        "comment_type",
        "comment_author",
        "comment_author_email",
        "comment_author_url",
        "comment_content",
        "comment_date_gmt",
        "comment_post_modified_gmt",
        "blog_lang",
        "blog_charset",
        "user_role",
        "is_test",
        "recheck_reason",
        "honeypot_field_name",
    }
)

#: Set by ``recheck_pending`` while it re-checks one comment: (recheck reason, original date).
RECHECKING: contextvars.ContextVar[tuple[str, datetime] | None] = contextvars.ContextVar(
    "threadkit_akismet_rechecking", default=None
)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def thread_created_at(thread: Thread) -> datetime | None:
    """Return when ``thread`` was created, the default publication time of its post."""
    return thread.created_at


def _not_standard(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value in _STANDARD_FIELDS:
        raise ValueError(f"honeypot_field_name {value!r} is an Akismet field")


@attrs.frozen
class CallFields:
    """What an :class:`~threadkit_akismet.AkismetStep` sends besides the key and blog.

    The site-wide settings (language, charset, test mode, honeypot field)
    plus ``store`` (to find a stored comment's permalink) and
    ``post_modified_at`` (the post's publication time).
    """

    is_test: bool = False
    blog_lang: str = ""
    blog_charset: str = "UTF-8"
    honeypot_field_name: str = attrs.field(default="", validator=_not_standard)
    store: ThreadLookup | None = None
    post_modified_at: Callable[[Thread], datetime | None] = thread_created_at

    def _about(
        self,
        author: Identity,
        context: RequestContext,
        thread: Thread | None,
        is_reply: bool,
        body: str,
        written: datetime,
    ) -> dict[str, str]:
        fields = {
            "user_ip": context.ip,
            "user_agent": context.user_agent,
            "referrer": context.referrer,
            "permalink": thread.url if thread is not None else "",
            "comment_type": "reply" if is_reply else "comment",
            "comment_author": author.name,
            "comment_author_email": author.email or "",
            "comment_author_url": author.url or "",
            "comment_content": body,
            "comment_date_gmt": _iso(written),
            "blog_charset": self.blog_charset,
        }
        if self.blog_lang:
            fields["blog_lang"] = self.blog_lang
        if self.is_test:
            fields["is_test"] = "1"
        modified = self.post_modified_at(thread) if thread is not None else None
        if modified is not None:
            fields["comment_post_modified_gmt"] = _iso(modified)
        return fields

    def for_candidate(self, candidate: Candidate) -> dict[str, str]:
        """Return the ``comment-check`` form fields for ``candidate`` (without key and blog)."""
        fields = self._about(
            candidate.author,
            candidate.context,
            candidate.thread,
            candidate.parent is not None,
            candidate.body,
            candidate.now,
        )
        if candidate.moderator:
            fields["user_role"] = "administrator"
        if self.honeypot_field_name:
            fields["honeypot_field_name"] = self.honeypot_field_name
            fields[self.honeypot_field_name] = candidate.honeypot
        if candidate.comment_id is not None:
            rechecking = RECHECKING.get()
            if rechecking is None:
                fields["recheck_reason"] = "edit"
            else:
                fields["recheck_reason"], written = rechecking
                fields["comment_date_gmt"] = _iso(written)
        # An empty honeypot is news too (a human left it alone): always send it.
        keep = {"user_ip", self.honeypot_field_name}
        return {k: v for k, v in fields.items() if v or k in keep}

    def for_comment(self, comment: Comment) -> dict[str, str]:
        """Return the ``submit-spam`` / ``submit-ham`` fields for a stored comment."""
        thread = self.store.get_thread(comment.thread_key) if self.store is not None else None
        fields = self._about(
            comment.author,
            comment.context,
            thread,
            comment.parent_id is not None,
            comment.body_source,
            comment.created_at,
        )
        return {k: v for k, v in fields.items() if v or k == "user_ip"}
