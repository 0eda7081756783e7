"""threadkit for Django: the comment section, JSON API and moderation as a Django app.

Add ``"threadkit_django"`` to ``INSTALLED_APPS``, include ``threadkit_django.urls``,
then in any template::

    {% load threadkit %}
    {% threadkit_thread post.slug title=post.title %}

Settings live in one dict, ``settings.THREADKIT`` (see :mod:`threadkit_django.conf`).
The store is any :class:`threadkit.ports.CommentStore`, named by import path, so
this adapter imports no other adapter.
"""

# Lockstep with the core: one version for every threadkit distribution.
from threadkit import __version__ as __version__

from .conf import database_url
from .identity import DjangoUserProvider
from .links import moderation_link, unsubscribe_link
from .state import get_state, reset_state

__all__ = [
    "DjangoUserProvider",
    "__version__",
    "database_url",
    "get_state",
    "moderation_link",
    "reset_state",
    "unsubscribe_link",
]
