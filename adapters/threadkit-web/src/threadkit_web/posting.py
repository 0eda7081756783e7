"""Posting a comment as whoever is asking: the HTML form and the JSON API of every adapter.

The logged-in reader posts as themselves; anyone else goes through the first
form provider (the anonymous name / email / website form), keyed to this
browser's id, and their cleaned details are remembered for the form next time.
A post may carry an idempotency key (``IDEMPOTENCY_HEADER`` on the JSON API,
the form's hidden ``IDEMPOTENCY_FIELD``): a retry gets the first comment back
instead of a second one (see ``CommentEngine.post``).
"""

from __future__ import annotations

from collections.abc import Mapping

from threadkit.errors import AuthenticationRequiredError
from threadkit.models import Comment, Identity, Submission

from .context import thread_meta
from .request import Visit, request_context
from .state import WebState
from .thread_policy import check_may_post

__all__ = ["anonymous_identity", "author_for_post", "post_comment"]


def anonymous_identity(state: WebState, visit: Visit, *, create: bool = False) -> Identity | None:
    """Return the anonymous identity of this browser (its comments' author key), if it has one."""
    forms = state.form_providers()
    if not forms:
        return None
    bid = visit.browser_id(create=create)
    if bid is None:
        return None
    return Identity(forms[0].name, bid, visit.remembered_author().get("name", ""))


def author_for_post(state: WebState, visit: Visit, fields: Mapping[str, str]) -> Identity:
    """Who is posting: the logged-in identity, else the form provider's reading of ``fields``."""
    logged_in = visit.logged_in()
    if logged_in is not None:
        return logged_in
    forms = state.form_providers()
    if not forms:
        raise AuthenticationRequiredError("login_required", "Log in to leave a comment.")
    identity = forms[0].identify(fields, visit.browser_id(create=True) or "")
    # Remember the cleaned values (bounded in length), not the raw ones: they live in a cookie.
    visit.remember_author(
        {"name": identity.name, "email": identity.email or "", "url": identity.url or ""}
    )
    return identity


def post_comment(
    state: WebState,
    visit: Visit,
    key: str,
    submission: Submission,
    fields: Mapping[str, str],
    meta_token: str | None,
    idempotency_key: str | None = None,
) -> Comment:
    """Post ``submission`` to thread ``key`` as whoever is asking; return the stored comment."""
    check_may_post(state, key, meta_token)
    author = author_for_post(state, visit, fields)
    title, url = thread_meta(state, key, meta_token)
    return state.engine.post(
        key,
        submission,
        author,
        request_context(visit.request),
        moderator=bool(state.is_moderator(visit.logged_in())),
        title=title,
        url=url,
        idempotency_key=idempotency_key,
    )
