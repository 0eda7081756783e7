"""The Akismet moderation step, its privacy notice and the re-check of held comments."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Literal, Protocol, Unpack

import attrs

from threadkit.errors import ConflictError, NotFoundError
from threadkit.models import Candidate, Comment, Status, Thread, Verdict
from threadkit.ports import ModerationQueue, ThreadLookup

from ._client import AkismetClient, AkismetReply, AkismetUnavailableError, ClientOptions
from ._fields import RECHECKING, CallFields, thread_created_at

__all__ = [
    "CODE_DISCARD",
    "CODE_RECHECK",
    "CODE_SPAM",
    "CODE_UNAVAILABLE",
    "PRIVACY_LINK_TEXT",
    "PRIVACY_NOTICE",
    "PRIVACY_URL",
    "RECHECK_CODES",
    "AkismetStep",
    "PrivacyNotice",
    "recheck_pending",
]

_log = logging.getLogger("threadkit_akismet")

CODE_SPAM = "akismet_spam"
"""Reason code: Akismet says spam."""
CODE_DISCARD = "akismet_discard"
"""Reason code: Akismet says blatant spam (``X-akismet-pro-tip: discard``)."""
CODE_UNAVAILABLE = "akismet_unavailable"
"""Reason code: Akismet could not be asked; the comment waits, unchecked, for a re-check."""
CODE_RECHECK = "akismet_recheck"
"""Reason code: Akismet asked to be asked again later (``X-akismet-recheck-after``)."""
RECHECK_CODES: frozenset[str] = frozenset({CODE_UNAVAILABLE, CODE_RECHECK})
"""Held comments with a reason in these codes are re-checked by :func:`recheck_pending`."""

PRIVACY_NOTICE = "This site uses Akismet to reduce spam."
"""The sentence Akismet asks sites to show under the comment form."""
PRIVACY_LINK_TEXT = "Learn how your comment data is processed."
"""The text of the link that follows :data:`PRIVACY_NOTICE`."""
PRIVACY_URL = "https://akismet.com/privacy/"
"""Where :data:`PRIVACY_LINK_TEXT` points."""


@attrs.frozen
class PrivacyNotice:
    """The "This site uses Akismet" line a template shows under the comment form.

    Web adapters render ``text`` followed by a link ``link_text`` to ``url``,
    or call :meth:`html`. Set your own (say, translated) values on the step.
    """

    text: str = PRIVACY_NOTICE
    link_text: str = PRIVACY_LINK_TEXT
    url: str = PRIVACY_URL

    def html(self) -> str:
        """Return the notice as escaped HTML, the link opening the policy page.

        >>> print(PrivacyNotice().html())
        This site uses Akismet to reduce spam. <a href="https://akismet.com/privacy/" \
rel="noopener" target="_blank">Learn how your comment data is processed.</a>
        """
        return (
            f'{html.escape(self.text)} <a href="{html.escape(self.url)}" rel="noopener"'
            f' target="_blank">{html.escape(self.link_text)}</a>'
        )


def _first_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


class AkismetStep:
    """A :class:`~threadkit.ports.LearningStep` asking Akismet about each comment.

    ``api_key`` and ``blog`` (the site's front page URL) come from your
    Akismet account. At construction the key is checked with ``verify-key``:
    an invalid key raises :class:`AkismetConfigurationError` so a deployment
    fails loudly; an Akismet outage at start-up only logs a warning
    (``verify=False`` skips the call).

    Verdicts: ``true`` is spam (reason ``akismet_spam``); ``true`` with
    ``X-akismet-pro-tip: discard`` is blatant spam (``akismet_discard``),
    stored as spam or, with ``discard="reject"``, refused outright; ``false``
    is accepted, unless ``X-akismet-recheck-after`` asks to hold it for a
    later re-check (``akismet_recheck``). Anything else (timeout, HTTP
    error, ``X-akismet-error``, ``invalid``, an unknown body) holds the
    comment for review with ``akismet_unavailable``: never published
    unchecked, never lost; :func:`recheck_pending` asks again later.

    ``store`` (anything with ``get_thread``) lets :meth:`learn` send the
    post's permalink. ``post_modified_at(thread)`` gives the post's
    publication time for ``comment_post_modified_gmt`` (default: when the
    thread was created). ``honeypot_field_name`` is the hidden form field's
    name, sent with its value as Akismet asks. ``is_test=True`` marks every
    call as a test, so Akismet does not learn from it. ``endpoint``,
    ``timeout`` (2 s) and ``user_agent`` go to the :class:`AkismetClient`.
    """

    name = "akismet"

    def __init__(
        self,
        api_key: str,
        blog: str,
        *,
        is_test: bool = False,
        blog_lang: str = "",
        blog_charset: str = "UTF-8",
        honeypot_field_name: str = "",
        discard: Literal["spam", "reject"] = "spam",
        store: ThreadLookup | None = None,
        post_modified_at: Callable[[Thread], datetime | None] | None = None,
        privacy_notice: PrivacyNotice = PrivacyNotice(),
        verify: bool = True,
        **client: Unpack[ClientOptions],
    ) -> None:
        if discard not in ("spam", "reject"):
            raise ValueError("discard must be 'spam' or 'reject'")
        self.fields = CallFields(
            is_test,
            blog_lang,
            blog_charset,
            honeypot_field_name,
            store,
            post_modified_at or thread_created_at,
        )
        self.client = AkismetClient(api_key, blog, **client)
        self.discard = discard
        self.privacy_notice = privacy_notice
        if verify:
            try:
                self.client.verify_key()
            except AkismetUnavailableError as err:
                _log.warning("could not verify the Akismet key at start-up: %s", err)

    def fields_for_candidate(self, candidate: Candidate) -> dict[str, str]:
        """Return the ``comment-check`` form fields for ``candidate`` (without key and blog)."""
        return self.fields.for_candidate(candidate)

    def fields_for_comment(self, comment: Comment) -> dict[str, str]:
        """Return the ``submit-spam`` / ``submit-ham`` fields for a stored comment."""
        return self.fields.for_comment(comment)

    # ------------------------------------------------------------------ checking

    def check(self, candidate: Candidate) -> Verdict:
        """Ask Akismet about ``candidate``; hold it when Akismet cannot answer."""
        try:
            reply = self.client.call("comment-check", self.fields_for_candidate(candidate))
        except AkismetUnavailableError as err:
            _log.warning("Akismet unavailable, holding the comment for review: %s", err)
            return self._unavailable(str(err))
        return self.verdict_for(reply)

    def verdict_for(self, reply: AkismetReply) -> Verdict:
        """Turn a ``comment-check`` reply into a verdict (see the class docstring)."""
        error = reply.header("X-akismet-error")
        if error:
            return self._unavailable(f"Akismet reported an error: {_first_line(error)}")
        if reply.body == "true":
            if reply.header("X-akismet-pro-tip") == "discard":
                message = "Akismet says this is blatant spam."
                if self.discard == "reject":
                    return Verdict.reject(self.name, CODE_DISCARD, message)
                return Verdict.spam(self.name, CODE_DISCARD, message)
            return Verdict.spam(self.name, CODE_SPAM, "Akismet says this is spam.")
        if reply.body == "false":
            recheck_after = reply.header("X-akismet-recheck-after")
            if recheck_after:
                return Verdict.hold(
                    self.name,
                    CODE_RECHECK,
                    f"Akismet asked to check again in {_first_line(recheck_after, 20)} seconds.",
                )
            return Verdict.accept()
        if reply.body == "invalid":
            help_text = reply.header("X-akismet-debug-help")
            detail = f": {_first_line(help_text)}" if help_text else ""
            return self._unavailable(f"Akismet refused the request as invalid{detail}")
        return self._unavailable(f"Akismet gave an unexpected answer {_first_line(reply.body)!r}")

    def _unavailable(self, detail: str) -> Verdict:
        return Verdict.hold(
            self.name,
            CODE_UNAVAILABLE,
            f"Not checked for spam ({detail}); held until Akismet can check it.",
        )

    # ------------------------------------------------------------------ learning

    def learn(self, comment: Comment, is_spam: bool) -> None:
        """Tell Akismet a moderator overrode it: ``submit-spam`` or ``submit-ham``.

        Spam Akismet missed is always reported; a comment a moderator calls
        not spam is reported only if Akismet had called it spam. Failures are
        logged, never raised (the moderator's decision stands regardless).
        """
        flagged = any(
            r.step == self.name and r.code in (CODE_SPAM, CODE_DISCARD) for r in comment.reasons
        )
        if not is_spam and not flagged:
            return
        method = "submit-spam" if is_spam else "submit-ham"
        try:
            reply = self.client.call(method, self.fields_for_comment(comment))
        except AkismetUnavailableError as err:
            _log.warning("Akismet %s for comment %s failed: %s", method, comment.id, err)
            return
        if reply.header("X-akismet-error") or not reply.body.startswith("Thanks"):
            _log.warning(
                "Akismet %s for comment %s was not accepted: %r %r",
                method,
                comment.id,
                reply.body[:200],
                reply.header("X-akismet-error"),
            )


# ---------------------------------------------------------------------- re-checking


class _Rechecker(Protocol):
    def recheck(self, comment_id: int) -> Comment: ...


def _held_by(comment: Comment, step: str, codes: Collection[str]) -> bool:
    return any(r.step == step and r.code in codes for r in comment.reasons)


def recheck_pending(
    engine: _Rechecker,
    store: ModerationQueue,
    *,
    limit: int = 500,
    page_size: int = 100,
    codes: Collection[str] = RECHECK_CODES,
    step_name: str = AkismetStep.name,
    stop_while_unavailable: bool = True,
) -> list[Comment]:
    """Re-run the pipeline on pending comments Akismet could not check; oldest first.

    Picks pending comments with a reason from ``step_name`` whose code is in
    ``codes`` (by default ``akismet_unavailable`` and ``akismet_recheck``),
    at most ``limit``, and calls ``engine.recheck`` on each, which applies the
    new verdict (publish, keep holding, or spam). A comment a moderator dealt
    with meanwhile is skipped. With ``stop_while_unavailable`` the run stops
    at the first comment Akismet still cannot check, sparing a service that
    is still down. Returns the re-checked comments as they are now.

    Run it every few minutes (cron, or a thread next to the outbox worker).
    """
    found: list[Comment] = []
    cursor: str | None = None
    while len(found) < limit:
        rows = store.moderation_queue([Status.PENDING], limit=page_size, cursor=cursor)
        found.extend(c for c in rows.comments if _held_by(c, step_name, codes))
        cursor = rows.next_cursor
        if cursor is None or not rows.comments:
            break
    # The queue is newest first; re-check in the order the comments arrived.
    todo = sorted(found[:limit], key=lambda c: c.id)
    rechecked: list[Comment] = []
    for comment in todo:
        token = RECHECKING.set(("recheck_queue", comment.created_at))
        try:
            result = engine.recheck(comment.id)
        except (NotFoundError, ConflictError):
            continue  # deleted or moderated since it was listed
        finally:
            RECHECKING.reset(token)
        rechecked.append(result)
        if stop_while_unavailable and _held_by(result, step_name, {CODE_UNAVAILABLE}):
            _log.info("Akismet still unavailable; re-check stopped at comment %s", result.id)
            break
    return rechecked
