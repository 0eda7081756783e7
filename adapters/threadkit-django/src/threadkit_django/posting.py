"""Posting a comment as whoever is asking, for the HTML form and the JSON API alike.

The logged-in Django user posts as themselves; anyone else goes through the
first form provider (the anonymous name / email / website form), keyed to this
browser's id, and their cleaned details are remembered in the session.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest

from threadkit.errors import AuthenticationRequiredError, NotFoundError, ThreadkitError
from threadkit.models import Comment, Identity, Submission

from . import visitors
from ._context import thread_meta
from .state import get_state

__all__ = ["IDEMPOTENCY_FIELD", "IDEMPOTENCY_HEADER", "author_for_post", "post_comment"]

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The JSON API's request header that makes a post safe to retry."""

IDEMPOTENCY_FIELD = "idempotency_key"
"""The comment form's hidden field with the same job."""


def check_may_post(key: str, meta_token: str | None) -> None:
    """Refuse (404) a post to a thread no page rendered and the store does not hold.

    A rendered thread's form carries a token signed for its key (see
    ``thread_meta``); a valid one is the cheap proof, checked before the store.
    """
    if meta_token and _signed_for(key, meta_token):
        return
    if get_state().engine.store.get_thread(key) is not None:
        return
    raise NotFoundError(
        "thread_not_found",
        f"There is no comment thread {key!r} on this site, so it takes no comments. Threads "
        "are created by the pages that show them ({% threadkit_thread key %}) or by "
        "engine.thread(...).",
        field="thread",
    )


def _signed_for(key: str, token: str) -> bool:
    state = get_state()
    try:
        data = state.signer.loads("thread", token, now=state.clock.now())
    except ThreadkitError:
        return False
    return data.get("key") == key


def author_for_post(request: HttpRequest, fields: Mapping[str, str]) -> Identity:
    """Who is posting: the logged-in user, else the form provider's reading of ``fields``."""
    logged_in = visitors.logged_in_identity(request)
    if logged_in is not None:
        return logged_in
    forms = get_state().form_providers()
    if not forms:
        raise AuthenticationRequiredError("login_required", "Log in to leave a comment.")
    identity = forms[0].identify(fields, visitors.browser_id(request, create=True) or "")
    visitors.remember_author(
        request, {"name": identity.name, "email": identity.email or "", "url": identity.url or ""}
    )
    return identity


def post_comment(
    request: HttpRequest,
    key: str,
    submission: Submission,
    fields: Mapping[str, str],
    meta_token: str | None,
    idempotency_key: str | None = None,
) -> Comment:
    """Post ``submission`` to thread ``key`` as whoever is asking; return the stored comment."""
    state = get_state()
    check_may_post(key, meta_token)
    author = author_for_post(request, fields)
    title, url = thread_meta(state, key, meta_token)
    return state.engine.post(
        key,
        submission,
        author,
        visitors.request_context(request),
        moderator=visitors.is_moderator(request),
        title=title,
        url=url,
        idempotency_key=idempotency_key,
    )
