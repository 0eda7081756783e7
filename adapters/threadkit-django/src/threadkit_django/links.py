"""The signed one-click links notification emails carry: moderation and unsubscribe.

The routes ``moderate/<token>`` and ``unsubscribe/<token>`` answer them; the
tokens are :mod:`threadkit_web.pages`' and are signed with ``SECRET_KEY`` (or
``THREADKIT_SECRET_KEY``), so ``threadkit-notify``'s ``Links`` built with the
same secret and ``base_url`` (where the URLs are included, as an absolute URL)
makes links these routes accept. Without ``request`` a link is a path; with it,
an absolute URL on the host the request came to.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from threadkit_web import pages

from .state import URL_NAMESPACE, get_state

__all__ = ["moderation_link", "unsubscribe_link"]


def _absolute(path: str, request: HttpRequest | None) -> str:
    return path if request is None else request.build_absolute_uri(path)


def moderation_link(comment_id: int, action: str, request: HttpRequest | None = None) -> str:
    """Return a one-click link applying ``action`` (approve, spam, ham, delete) to a comment.

    It works for ``THREADKIT_MODERATE_LINK_TTL`` seconds (a week by default)::

        link = moderation_link(comment.id, "approve", request)
    """
    token = pages.moderate_token(get_state().web, comment_id, action)
    return _absolute(reverse(f"{URL_NAMESPACE}:moderate_link", kwargs={"token": token}), request)


def unsubscribe_link(comment_id: int, request: HttpRequest | None = None) -> str:
    """Return a link stopping reply emails about one comment.

    Put it in the email's body and in ``List-Unsubscribe`` (with
    ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``): its POST needs no CSRF token.
    """
    token = pages.unsubscribe_token(get_state().web, comment_id)
    return _absolute(reverse(f"{URL_NAMESPACE}:unsubscribe", kwargs={"token": token}), request)
