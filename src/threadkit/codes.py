"""Every error code threadkit and its adapters use, once: what it means, its HTTP status, its field.

A code is the stable, machine-readable part of an error (``ThreadkitError.code``,
the ``code`` of a problem+json body, a moderation ``Reason.code``). This table is
the one definition: an error raised with a listed code takes its HTTP status from
here (see :func:`http_status`), the docs' table of codes is generated from it, and
a test fails if any module raises a code the table does not list, or if the docs
name one it does not.

Moderation reason codes are listed with the status a comment gets when a step
*rejects* with them (most steps hold or mark as spam instead, which is no error).

>>> CODES["body_too_large"].status, CODES["body_too_large"].field
(422, 'body')
>>> http_status("request_too_large", 400)
413
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ._unique import index_unique

__all__ = ["CODES", "ErrorCode", "http_status", "markdown_table"]


@attrs.frozen
class ErrorCode:
    """One error code: its name, HTTP status, the field it is usually about, and its meaning.

    ``status`` is ``None`` only for ``http_error``, whose status is the HTTP
    error's own. ``field`` is the input at fault (``"$"``: the whole request
    body; ``"*"``: whichever input was wrong; ``""``: none; alternatives
    separated by ``/``). ``message`` is the sentence shown to a reader, where
    one fits every occurrence of the code.
    """

    code: str
    status: int | None
    field: str
    meaning: str
    message: str = ""
    """What a reader is told, in English (``""``: the raiser's own words). Web adapters
    translate it by the code (``threadkit_web.i18n.ERROR_MESSAGES`` marks it for the
    catalogs), so the JSON API and the HTML pages say the same thing."""


_ALL = (
    # --- the request itself (HTTP level)
    ErrorCode("bad_request", 400, "", "The request is malformed."),
    ErrorCode("http_error", None, "", "Any other HTTP error; the status says which."),
    ErrorCode("method_not_allowed", 405, "", "This URL does not take this HTTP method."),
    ErrorCode("no_such_route", 404, "", "No API route has this URL."),
    ErrorCode(
        "not_found",
        404,
        "",
        "Nothing here, or nothing this reader may see.",
        message="This comment is not there any more.",
    ),
    ErrorCode("request_too_large", 413, "", "The request body is over the request cap."),
    ErrorCode("unsupported_media_type", 415, "Content-Type", "The body is not JSON."),
    ErrorCode("unsupported_charset", 415, "Content-Type", "The JSON is not sent as UTF-8."),
    ErrorCode(
        "csrf_failed",
        403,
        "csrf_token",
        "The anti-CSRF token is missing or wrong.",
        message="Your session expired; please reload the page and try again.",
    ),
    ErrorCode("origin_not_allowed", 403, "Origin", "A page on an origin not on the list."),
    ErrorCode("invalid_bearer_token", 401, "Authorization", "A bearer token that is bad or old."),
    ErrorCode("base_url_missing", 500, "", "The site's address is not configured."),
    ErrorCode("invalid_json", 400, "$", "The body is not JSON."),
    ErrorCode("invalid_utf8", 400, "$ or *", "The body or a form field is not UTF-8."),
    ErrorCode("nul_byte", 400, "$", "The JSON body holds a NUL byte."),
    ErrorCode("duplicate_key", 400, "$", "A JSON object repeats a key."),
    ErrorCode("too_deep", 400, "$", "The JSON nests too deep."),
    ErrorCode("number_too_large", 400, "$", "A JSON number is out of range."),
    ErrorCode("not_object", 400, "$", "The JSON body is not an object."),
    # --- input values
    ErrorCode("invalid", 422, "*", "An input is malformed or out of range."),
    ErrorCode(
        "required",
        422,
        "*",
        "A required input is missing or blank.",
        message="Please fill in this field.",
    ),
    ErrorCode("wrong_type", 422, "*", "An input has the wrong JSON type."),
    ErrorCode("out_of_range", 422, "*", "A number is outside its range."),
    ErrorCode("invalid_character", 422, "*", "Text holds a NUL or a lone surrogate."),
    ErrorCode("invalid_text", 422, "*", "Text the database cannot keep."),
    ErrorCode("too_long", 422, "*", "A text input is over its length limit."),
    ErrorCode("control_characters", 422, "name/email", "Invisible control characters."),
    ErrorCode("invalid_email", 422, "email", "Not an email address."),
    ErrorCode("invalid_url", 422, "url", "Not a website address."),
    ErrorCode("unsupported_scheme", 422, "url", "A website address that is not http(s)."),
    ErrorCode("invalid_domain", 422, "email/url", "Not a valid (IDNA 2008) domain."),
    ErrorCode("invalid_thread", 422, "thread", "A thread key that is empty or too long."),
    ErrorCode("invalid_sort", 422, "sort", "Not a sort order."),
    ErrorCode("invalid_cursor", 422, "cursor", "A page cursor no store made."),
    ErrorCode("invalid_limit", 422, "*", "A page limit that is not a positive number."),
    ErrorCode("invalid_vote", 422, "value", "A vote that is not -1, 0 or 1."),
    ErrorCode("invalid_status", 422, "status", "Not a moderation queue status."),
    ErrorCode("invalid_decision", 422, "decision", "Not a moderation decision."),
    ErrorCode("invalid_token", 422, "token", "A signed link that was tampered with."),
    ErrorCode("expired_token", 422, "token", "A signed link that has expired."),
    ErrorCode("naive_datetime", 422, "", "A time without a time zone given to a store."),
    ErrorCode("too_many_threads", 422, "keys", "Counts asked for too many threads."),
    ErrorCode("invalid_backup", 422, "", "A backup file that cannot be read."),
    ErrorCode("malformed_xml", 422, "", "An import file that is not well-formed XML."),
    ErrorCode("wrong_format", 422, "", "An import file of another kind."),
    ErrorCode("doctype_refused", 422, "", "An import file with a DOCTYPE or entities."),
    ErrorCode("invalid_idempotency_key", 422, "Idempotency-Key", "A malformed key."),
    ErrorCode("idempotency_key_reused", 422, "Idempotency-Key", "A key used for another post."),
    ErrorCode("idempotency_key_spent", 422, "Idempotency-Key", "A key whose post was refused."),
    # --- the comment body
    ErrorCode(
        "empty_body",
        422,
        "body",
        "The comment is empty or only whitespace.",
        message="Please write a comment before posting.",
    ),
    ErrorCode(
        "body_too_large",
        422,
        "body",
        "The comment is over the comment limit (bytes).",
        message="Your comment is too long; please shorten it.",
    ),
    ErrorCode("body_too_long", 422, "body", "The comment is over SizeLimits' characters."),
    ErrorCode("invalid_body", 422, "body", "The comment is not text, or holds NUL."),
    ErrorCode("name_too_long", 422, "name", "The name is over SizeLimits' characters."),
    ErrorCode("name_too_large", 422, "name", "The name is over SizeLimits' bytes."),
    ErrorCode("url_too_long", 422, "url", "The website is over SizeLimits' characters."),
    ErrorCode("url_too_large", 422, "url", "The website is over SizeLimits' bytes."),
    ErrorCode("email_too_long", 422, "email", "The email is over SizeLimits' characters."),
    ErrorCode("email_too_large", 422, "email", "The email is over SizeLimits' bytes."),
    # --- the engine's rules
    ErrorCode("invalid_parent", 422, "parent_id", "The reply's parent is not in this thread."),
    ErrorCode("parent_not_visible", 422, "parent_id", "The reply's parent is not published."),
    ErrorCode("conflict", 409, "", "The action clashes with the current state."),
    ErrorCode(
        "thread_closed",
        409,
        "",
        "The thread no longer takes comments.",
        message="Comments are closed.",
    ),
    ErrorCode("comment_deleted", 409, "", "The comment is deleted."),
    ErrorCode("edit_window_closed", 409, "", "The time to edit or delete is over."),
    ErrorCode("has_replies", 409, "", "A comment with replies cannot be removed."),
    ErrorCode("not_pending", 409, "", "The comment is not waiting for moderation."),
    ErrorCode("not_votable", 409, "", "The comment cannot take votes."),
    ErrorCode("authentication_required", 401, "", "Identify yourself first."),
    ErrorCode("login_required", 401, "", "Log in first."),
    ErrorCode("forbidden", 403, "", "This reader may not do this."),
    ErrorCode("not_author", 403, "", "Only the author may do this."),
    ErrorCode("not_moderator", 403, "", "Only moderators may do this."),
    ErrorCode("own_comment", 403, "", "No votes on one's own comments."),
    ErrorCode("comment_not_found", 404, "comment_id", "No such comment, or a hidden one."),
    ErrorCode("thread_not_found", 404, "thread", "No such thread."),
    ErrorCode("avatar_not_found", 404, "", "No such avatar."),
    ErrorCode("unknown_provider", 404, "", "No login provider of this name."),
    ErrorCode("storage_unavailable", 503, "", "The store is down; nothing was written."),
    # --- moderation (status when a step rejects with the code)
    ErrorCode("rejected", 422, "", "A moderation step refused the comment."),
    ErrorCode(
        "rate_limited",
        429,
        "",
        "Too many requests; see Retry-After.",
        message="You are posting too fast; please wait a moment.",
    ),
    ErrorCode("too_fast", 429, "", "Posting too quickly (FloodControl); see Retry-After."),
    ErrorCode(
        "too_many_votes",
        429,
        "",
        "Voting too much (VoteLimit); see Retry-After.",
        message="Too many votes; please try again later.",
    ),
    ErrorCode(
        "duplicate",
        422,
        "body",
        "The same comment was just posted.",
        message="You have already posted this comment.",
    ),
    ErrorCode("honeypot_filled", 422, "", "The hidden trap field was filled in."),
    ErrorCode("too_many_links", 422, "body", "More links than LinkLimit allows."),
    ErrorCode("first_comment", 422, "", "A first comment, held for approval."),
    ErrorCode("held_by_site", 422, "", "The site holds every comment for review."),
    ErrorCode("spam_keyword", 422, "", "A word on the spam list."),
    ErrorCode("hold_keyword", 422, "", "A word on the hold list."),
    ErrorCode("blocked_author", 422, "", "An author moderators marked as a spammer."),
    ErrorCode("blocked_ip", 422, "", "An address moderators marked as a spammer's."),
    ErrorCode("banned", 403, "", "The author, their email or their address is banned."),
    ErrorCode("shadow_banned", 422, "", "A shadow ban: stored as spam only its author sees."),
    ErrorCode("invisible_name", 422, "name", "A name that shows nothing."),
    ErrorCode("name_confusable", 422, "name", "A name that looks like someone else's."),
    ErrorCode("name_reserved", 422, "name", "A name reserved for the site's people."),
    ErrorCode("akismet_spam", 422, "", "Akismet says spam."),
    ErrorCode("akismet_discard", 422, "", "Akismet says blatant spam."),
    ErrorCode("akismet_unavailable", 422, "", "Akismet could not be asked."),
    ErrorCode("akismet_recheck", 422, "", "Akismet asks to check again later."),
    # --- logins elsewhere (threadkit_social, through the Flask callback)
    ErrorCode("access_denied", 403, "", "The reader declined the login."),
    ErrorCode("bad_state", 400, "", "A login callback with a forged or lost state."),
    ErrorCode("missing_code", 400, "", "A login callback without a code."),
    ErrorCode("code_rejected", 400, "", "The provider refused the login code."),
    ErrorCode("invalid_id_token", 400, "", "An OpenID Connect ID token that fails checks."),
    ErrorCode("issuer_mismatch", 400, "", "A callback from another issuer."),
    ErrorCode("provider_error", 400, "", "The provider reported an error."),
    ErrorCode("provider_unavailable", 503, "", "The provider cannot be reached."),
    ErrorCode("login_expired", 400, "", "The login took too long or was used already."),
    ErrorCode("wrong_provider", 400, "", "A provider answered for another one."),
)


CODES: Mapping[str, ErrorCode] = index_unique(
    _ALL, lambda entry: entry.code, lambda code: f"error code {code!r} is listed twice"
)
"""Every code, by name."""


def http_status(code: str, default: int) -> int:
    """Return the HTTP status of ``code``; ``default`` for a code not in the table.

    Custom moderation steps may use codes of their own: their errors keep
    their class's status.
    """
    entry = CODES.get(code)
    return default if entry is None or entry.status is None else entry.status


def markdown_table() -> str:
    """Return the table of codes as Markdown, as docs/architecture.md shows it."""
    rows = ["| code | HTTP | field | meaning |", "|---|---|---|---|"]
    for entry in _ALL:
        status = "any" if entry.status is None else str(entry.status)
        field = f"`{entry.field}`" if entry.field else ""
        rows.append(f"| `{entry.code}` | {status} | {field} | {entry.meaning} |")
    return "\n".join(rows) + "\n"
