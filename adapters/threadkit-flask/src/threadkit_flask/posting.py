"""Posting a comment, shared by the HTML form route and the JSON API.

A post may carry an idempotency key (the ``Idempotency-Key`` header on the
JSON API, the hidden ``idempotency_key`` field of the HTML form, filled with a
fresh key on every render): a retry with the same key gets the first comment
back instead of a second one (see ``CommentEngine.post``).
"""

from __future__ import annotations

from collections.abc import Mapping

from threadkit_web.inputs import IDEMPOTENCY_FIELD, IDEMPOTENCY_HEADER

from threadkit.errors import AuthenticationRequiredError
from threadkit.models import Comment, Identity, Submission

from . import rendering, thread_policy, visitors
from .state import ThreadKitState

__all__ = ["IDEMPOTENCY_FIELD", "IDEMPOTENCY_HEADER", "author_for_post", "post_comment"]



def author_for_post(state: ThreadKitState, fields: Mapping[str, str]) -> Identity:
    """Who is posting: the logged-in identity, else the form provider's reading of ``fields``.

    An anonymous commenter's details are remembered in the session so the
    form is filled in next time, and the comment is keyed to this browser.
    """
    logged_in = visitors.logged_in_identity()
    if logged_in is not None:
        return logged_in
    forms = state.form_providers()
    if not forms:
        raise AuthenticationRequiredError("login_required", "Log in to leave a comment.")
    identity = forms[0].identify(fields, visitors.browser_id(create=True) or "")
    # Remember the cleaned values (bounded in length), not the raw ones: they live in a cookie.
    visitors.remember_author(
        {"name": identity.name, "email": identity.email or "", "url": identity.url or ""}
    )
    return identity


def post_comment(
    state: ThreadKitState,
    key: str,
    submission: Submission,
    fields: Mapping[str, str],
    meta_token: str | None,
    idempotency_key: str | None = None,
) -> Comment:
    """Post ``submission`` to thread ``key`` as whoever is asking; return the stored comment.

    With ``idempotency_key``, a retry of a post that was stored returns that comment.
    """
    thread_policy.check_may_post(state, key, meta_token)
    author = author_for_post(state, fields)
    title, url = rendering.thread_meta(state, key, meta_token)
    return state.engine.post(
        key,
        submission,
        author,
        visitors.request_context(),
        moderator=visitors.is_moderator(),
        title=title,
        url=url,
        idempotency_key=idempotency_key,
    )
