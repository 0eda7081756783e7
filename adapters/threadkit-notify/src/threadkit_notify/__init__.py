"""Email and webhook notifications for threadkit, delivered through the outbox.

Build the notifiers, hand them to the engine (which queues events in the same
transaction as each comment write) and to an outbox worker (which delivers
them, retrying with backoff)::

    from threadkit.outbox import OutboxWorker
    from threadkit.signing import TokenSigner
    from threadkit_notify import Links, ModeratorEmailNotifier, ReplyEmailNotifier, SmtpMailer

    mailer = SmtpMailer("smtp.example.org", username="blog", password=secret)
    links = Links(TokenSigner(app_secret), "https://blog.example/comments")
    notifiers = [
        ModeratorEmailNotifier(mailer, store, links, sender="Blog <blog@example.org>",
                               moderators=["me@example.org"]),
        ReplyEmailNotifier(mailer, store, links, sender="Blog <blog@example.org>"),
    ]
    engine = CommentEngine(store, notifiers=notifiers)
    OutboxWorker(store, notifiers, clock=SystemClock()).start()
"""

# Lockstep with the core: one version for every threadkit distribution.
from threadkit import __version__ as __version__
from threadkit.outbox import drain, run_until_stopped

from ._email import EmailNotifier, ModeratorEmailNotifier, ReplyEmailNotifier
from ._links import Links
from ._mail import Mailer, SmtpMailer
from ._thread_email import ThreadEmailNotifier
from ._webhook import (
    SIGNATURE_HEADER,
    WebhookDeliveryError,
    WebhookNotifier,
    sign_payload,
    verify_signature,
)

__all__ = [
    "EmailNotifier",
    "ModeratorEmailNotifier",
    "ReplyEmailNotifier",
    "ThreadEmailNotifier",
    "Links",
    "Mailer",
    "SmtpMailer",
    "WebhookNotifier",
    "WebhookDeliveryError",
    "SIGNATURE_HEADER",
    "sign_payload",
    "verify_signature",
    "drain",
    "run_until_stopped",
    "__version__",
]
