"""Akismet spam checking for threadkit.

:class:`AkismetStep` is a moderation step (and learning step) to put in the
engine's pipeline; :func:`recheck_pending` re-checks the comments it had to
hold while Akismet was unreachable; :class:`PrivacyNotice` is the line Akismet
asks sites to show under the comment form::

    from threadkit.moderation import Pipeline
    from threadkit_akismet import AkismetStep

    akismet = AkismetStep(api_key, "https://blog.example", store=store)
    engine = CommentEngine(store, pipeline=Pipeline([..., akismet]))
"""

# Lockstep with the core: one version for every threadkit distribution.
from threadkit import __version__ as __version__

from ._client import (
    DEFAULT_ENDPOINT,
    AkismetClient,
    AkismetConfigurationError,
    AkismetError,
    AkismetReply,
    AkismetUnavailableError,
)
from ._step import (
    CODE_DISCARD,
    CODE_RECHECK,
    CODE_SPAM,
    CODE_UNAVAILABLE,
    PRIVACY_LINK_TEXT,
    PRIVACY_NOTICE,
    PRIVACY_URL,
    RECHECK_CODES,
    AkismetStep,
    PrivacyNotice,
    recheck_pending,
)

__all__ = [
    "AkismetStep",
    "recheck_pending",
    "PrivacyNotice",
    "PRIVACY_NOTICE",
    "PRIVACY_LINK_TEXT",
    "PRIVACY_URL",
    "CODE_SPAM",
    "CODE_DISCARD",
    "CODE_UNAVAILABLE",
    "CODE_RECHECK",
    "RECHECK_CODES",
    "AkismetClient",
    "AkismetReply",
    "DEFAULT_ENDPOINT",
    "AkismetError",
    "AkismetConfigurationError",
    "AkismetUnavailableError",
    "__version__",
]
