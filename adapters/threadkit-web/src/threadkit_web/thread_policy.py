"""Which thread keys may receive comments (``THREADKIT_THREAD_POLICY``).

A thread comes to exist when the host renders ``{{ threadkit.thread(key,
title=..., url=...) }}`` (its form carries a token signed for that key) or
calls ``engine.thread(key, ...)``. Policies:

``"rendered"`` (default)
    a post is accepted for a thread that exists, or with a valid token that a
    page rendering that thread signed; any other key is refused;
``"existing"``
    only threads that exist in the store (create them with ``engine.thread``);
``"any"``
    every well-formed key (the first comment creates the thread);
a callable ``key -> bool``
    the host decides, for every post.

A refused key gets a 404 ``thread_not_found`` problem that names the setting.
"""

from __future__ import annotations

from threadkit.errors import NotFoundError, ThreadkitError

from .state import WebState

__all__ = ["check_may_post"]


def _refuse(key: str) -> NotFoundError:
    return NotFoundError(
        "thread_not_found",
        f"There is no comment thread {key!r} on this site, so it takes no comments. "
        "Threads are created by the pages that show them (threadkit.thread(...)) or "
        "by engine.thread(...); the site's THREADKIT_THREAD_POLICY setting decides "
        "which threads accept comments.",
        field="thread",
    )


def _rendered(state: WebState, key: str, token: str | None) -> bool:
    if not token:
        return False
    try:
        data = state.signer.loads("thread", token, now=state.clock.now())
    except ThreadkitError:
        return False
    return data.get("key") == key


def check_may_post(state: WebState, key: str, meta_token: str | None) -> None:
    """Raise a 404 problem unless thread ``key`` may receive a comment.

    ``meta_token`` is the ``thread_meta`` value a rendered thread's form
    carries; a valid one for ``key`` is the cheap proof, so it is checked
    before the store is asked.
    """
    policy = state.settings.thread_policy
    if policy == "any":
        return
    if callable(policy):
        if not policy(key):
            raise _refuse(key)
        return
    if policy == "rendered" and _rendered(state, key, meta_token):
        return
    try:
        state.engine.get_thread(key)
    except NotFoundError:
        raise _refuse(key) from None
